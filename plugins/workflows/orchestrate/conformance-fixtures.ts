import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The orchestrate operations' conformance fixtures (the plugin's conformance.test.ts loads them).
 * Commands (argv) only, so no workers plugin is needed; multi-repo runs name a repository that does
 * not exist (an absolute path): the call succeeds and the run fails for that repository, touching nothing.
 */
/** What of test/kit/conformance.ts's FixtureContext these use (a non-test file may not import the kit). */
interface FixtureContext {
  alpha: { lead: { token: string } };
  call(agent: { token: string }, method: string, path: string, body?: unknown): Promise<unknown>;
}
type Fixtures = Record<string, (context: FixtureContext) => Promise<Record<string, unknown>>>;

const waves = () => ({ waves: [{ name: 'a', workers: [{ handle: 'c1', argv: ['true'] }] }] });
const nowhere = () => join(tmpdir(), `fleet-conformance-none-${randomUUID()}`);
const repositories = () => [{ name: 'gone', path: nowhere() }];
const multiRepo = () => ({ fleetName: 'f', repositories: repositories(), task: { name: 't', argv: ['true'] } });
const shortcut = () => ({ fleetName: 'f', repositories: repositories(), argv: ['true'] });

async function waveRun(context: FixtureContext, body: unknown = waves()): Promise<string> {
  return ((await context.call(context.alpha.lead, 'POST', '/orchestrate/waves', body)) as { executionId: string })
    .executionId;
}

async function multiRepoRun(context: FixtureContext): Promise<string> {
  return (
    (await context.call(context.alpha.lead, 'POST', '/orchestrate/multi-repo', multiRepo())) as { executionId: string }
  ).executionId;
}

export const fixtures: Fixtures = {
  startWaves: () => Promise.resolve({ input: waves(), otherTeam: 'own' }),
  listWaves: () => Promise.resolve({ input: {}, as: 'worker', otherTeam: 'own' }),
  getWaves: async (context) => {
    const id = await waveRun(context);
    return { input: { id }, as: 'worker', secrets: [id] };
  },
  cancelWaves: async (context) => {
    const long = [process.execPath, '-e', 'setTimeout(() => {}, 60000)'];
    const id = await waveRun(context, { waves: [{ name: 'a', workers: [{ handle: 'c1', argv: long }] }] });
    return { input: { id }, secrets: [id] };
  },
  startMultiRepo: () => Promise.resolve({ input: multiRepo(), otherTeam: 'own' }),
  listMultiRepo: () => Promise.resolve({ input: {}, as: 'worker', otherTeam: 'own' }),
  getMultiRepo: async (context) => {
    const id = await multiRepoRun(context);
    return { input: { id }, as: 'worker', secrets: [id] };
  },
  multiRepoUpdateDeps: () => Promise.resolve({ input: shortcut(), otherTeam: 'own' }),
  multiRepoSecurityAudit: () => Promise.resolve({ input: shortcut(), otherTeam: 'own' }),
  multiRepoFormatCode: () => Promise.resolve({ input: shortcut(), otherTeam: 'own' }),
  multiRepoRunTests: () => Promise.resolve({ input: shortcut(), otherTeam: 'own' }),
};
