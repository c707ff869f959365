/**
 * The board: GET /orchestrate/board (every team's workers for the admin key, its own for a lead)
 * and the fleet's first tmux window, which shows it as a live table with what needs a person.
 */
import t from 'tap';
import { startWorkerFleet, tmuxSync, waitFor } from '../../test/kit/index.js';

t.test(
  'the board: every team for the admin key, its own for a lead, failed workers and refusals in sight',
  async (t) => {
    const w = await startWorkerFleet(t, {
      workers: { maxRestarts: 0, commands: { ghost: { argv: ['/nonexistent/agent-cli'] } } },
    });
    const beta = await w.fleet.register('lead', 'beta', 'team-lead');
    const spawn = (token: string, handle: string, body: Record<string, unknown>) =>
      w.fleet.request('POST', '/orchestrate/spawn', { token, body: { handle, workingDir: w.fleet.dataDir, ...body } });
    t.equal((await spawn(w.lead, 'writer', { initialPrompt: 'hello' })).status, 201);
    t.equal((await spawn(w.lead, 'careful', { initialPrompt: 'DENY Bash {"command":"touch x"}' })).status, 201);
    t.equal((await spawn(beta.token, 'ghost', { adapter: 'ghost' })).status, 201);
    await w.waitWorker('writer', (x) => x.state === 'idle', 'writer idle');
    await w.waitWorker('careful', (x) => x.state === 'idle', 'careful idle');

    const all = await w.fleet.request('GET', '/orchestrate/board', { token: w.fleet.adminKey });
    t.equal(all.status, 200);
    t.same(
      all.body.workers.map((x: { team: string; handle: string; state: string }) => `${x.team}/${x.handle} ${x.state}`),
      ['alpha/careful idle', 'alpha/writer idle', 'beta/ghost failed'],
      'the admin key sees every team, failed workers included',
    );
    const writer = all.body.workers.find((x: { handle: string }) => x.handle === 'writer');
    t.match(writer, { health: 'healthy', numTurns: 1, tokens: 110, costUsd: 0.0012, lastLine: /ack: hello/ });
    t.ok(Date.parse(writer.stateSince) <= Date.now(), 'since when it is idle');
    t.match(all.body.workers[0].needsYou, { reason: 'permission_denied', denials: [{ tool: 'Bash' }] });
    t.match(all.body.workers[2].error, /cannot start \/nonexistent\/agent-cli/);
    t.equal(all.body.needsYou, 2, 'two need a person: the refused one and the failed one');

    const own = await w.fleet.request('GET', '/orchestrate/board', { token: beta.token });
    t.same(
      own.body.workers.map((x: { handle: string }) => x.handle),
      ['ghost'],
      "a lead sees its own team's workers only",
    );
    const worker = await w.fleet.register('member', 'alpha');
    t.equal((await w.fleet.request('GET', '/orchestrate/board', { token: worker.token })).status, 403, 'not a worker');
    t.equal((await w.fleet.request('GET', '/orchestrate/board')).status, 401, 'not anyone');

    // The tmux status line keeps the failed worker in sight.
    const status = await waitFor('the status line', () => {
      const line = tmuxSync(w.socket, ['show-options', '-gv', '@fleet_workers']);
      return line.includes('beta/ghost:failed') ? line : undefined;
    });
    t.match(status, /alpha\/writer:idle/);

    // The fleet's first window runs `fleet board`: the same, as a table.
    const pane = await waitFor(
      'the board to show the workers',
      () => {
        const text = tmuxSync(w.socket, ['capture-pane', '-p', '-J', '-t', '=fleet:0']);
        // It redraws every 3 s: wait for a draw from after the ghost failed.
        return text.includes('alpha/writer') && text.includes('beta/ghost failed') ? text : undefined;
      },
      15_000,
    );
    t.match(pane, /WORKER\s+STATE\s+HEALTH\s+TURNS\s+TOKENS\s+COST\s+LAST LINE/);
    t.match(pane, /alpha\/writer\s+idle \d+[smh]\s+healthy\s+1\s+110\s+\$0\.0012\s+\S/);
    t.match(pane, /beta\/ghost failed: exited with code 127/);
    t.match(pane, /alpha\/careful was refused Bash \{"command":"touch x"\}/);
  },
);
