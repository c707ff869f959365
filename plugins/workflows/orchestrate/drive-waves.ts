import { executeUnit, type RunContext } from './run-context.js';
import type { WavePlan } from './plan.js';
import { INTERRUPTED } from './unit-runner.js';
import { waveResult } from './views.js';

/**
 * Run a wave run from where its rows stand: waves one after another in their planned order, a
 * wave's workers at once; a wave starts only when the one before succeeded. A failed wave ends the
 * run `failed` (what failed and why) and later waves never start; a cancel or a stop ends the loop.
 */
export async function driveWaves(ctx: RunContext, cwd: string): Promise<void> {
  const plan = JSON.parse(ctx.run.request) as WavePlan;
  const id = ctx.run.id;
  const team = ctx.run.team_name;
  for (const [index, wave] of plan.waves.entries()) {
    const units = (await ctx.store.units(id)).filter((unit) => unit.group_index === index);
    if (units.every((unit) => unit.status === 'succeeded')) continue;
    if (units.every((unit) => unit.status === 'pending'))
      ctx.emit('wave:start', team, { executionId: id, wave: wave.name, workers: units.map((unit) => unit.name) });
    const outcomes = await Promise.all(
      units.map(async (unit) => {
        if (unit.status !== 'pending' && unit.status !== 'running') return undefined;
        const worker = wave.workers.find((w) => w.handle === unit.name)!;
        const outcome = await executeUnit(ctx, unit, {
          handle: worker.handle,
          cwd: worker.cwd ?? cwd,
          work: worker,
          pollMs: plan.pollMs,
          onSpawned: (paneId) =>
            void ctx.emit('wave:worker:spawned', team, { executionId: id, wave: wave.name, worker: unit.name, paneId }),
        });
        if (outcome.status === 'succeeded')
          ctx.emit('wave:worker:success', team, {
            executionId: id,
            wave: wave.name,
            worker: unit.name,
            output: outcome.output,
            evidence: outcome.evidence,
          });
        if (outcome.status === 'failed')
          ctx.emit('wave:worker:failed', team, {
            executionId: id,
            wave: wave.name,
            worker: unit.name,
            error: outcome.error,
          });
        return outcome;
      }),
    );
    if (ctx.signal.aborted) return;
    const after = (await ctx.store.units(id)).filter((unit) => unit.group_index === index);
    const failed = after.filter((unit) => unit.status !== 'succeeded');
    if (failed.length > 0) {
      const why = failed.map((unit) => `${unit.name}: ${unit.error ?? unit.status}`).join('; ');
      const error = `wave '${wave.name}' failed (${why}); later waves were not started`;
      const interrupted = outcomes.some((o) => o?.status === 'failed' && o.error.startsWith(INTERRUPTED));
      if (await ctx.store.finish(id, interrupted ? 'interrupted' : 'failed', error, ctx.now()))
        ctx.emit('wave:execution:failed', team, { executionId: id, error });
      return;
    }
    ctx.emit('wave:complete', team, { executionId: id, wave: wave.name, results: after.map(waveResult) });
  }
  if (await ctx.store.finish(id, 'completed', null, ctx.now()))
    ctx.emit('wave:execution:complete', team, {
      executionId: id,
      results: (await ctx.store.units(id)).map(waveResult),
    });
}
