/**
 * The tmux status line: team/handle:state for every worker not stopped, a mark on those that need a
 * person, failed ones kept, and what matters first when the line is too long for tmux.
 */
import t from 'tap';
import { statusLine, type StatusLineWorker } from './status-line.js';

const refused = { reason: 'permission_denied', denials: [{ tool: 'Bash', toolUseId: 'toolu_1', input: '{}' }] };
const worker = (
  teamName: string,
  handle: string,
  state: StatusLineWorker['state'],
  needsYou: unknown = null,
): StatusLineWorker => ({ teamName, handle, state, needsYou });

t.test('team/handle:state for each worker, nothing when there are none', async (t) => {
  t.equal(statusLine([]), '', 'empty: tmux.conf shows "no workers"');
  t.equal(
    statusLine([worker('alpha', 'w1', 'working'), worker('beta', 'w1', 'idle')]),
    'alpha/w1:working beta/w1:idle',
    'two teams, each with a w1, told apart',
  );
  t.equal(statusLine([worker('alpha', 'w1', 'stopped'), worker('alpha', 'w2', 'idle')]), 'alpha/w2:idle');
});

t.test('a worker that needs you is marked and counted, first; failed ones are shown and counted', async (t) => {
  const line = statusLine([
    worker('alpha', 'a', 'working'),
    worker('alpha', 'b', 'failed'),
    worker('alpha', 'c', 'idle', refused),
    worker('beta', 'd', 'idle'),
  ]);
  t.equal(line, '! 1 needs you, 1 failed · alpha/c:idle! alpha/b:failed alpha/a:working beta/d:idle');
  t.equal(
    statusLine([worker('alpha', 'c', 'idle', refused), worker('beta', 'e', 'working', refused)]),
    '! 2 need you · alpha/c:idle! beta/e:working!',
  );
  t.equal(statusLine([worker('alpha', 'b', 'failed')]), '1 failed · alpha/b:failed', 'no needs-you count when none');
});

t.test('a line too long for tmux ends with how many more, keeping what needs you', async (t) => {
  const many = Array.from({ length: 40 }, (_, i) => worker('alpha', `worker-${String(i).padStart(2, '0')}`, 'idle'));
  const line = statusLine([...many, worker('zeta', 'late', 'idle', refused)], 150);
  t.ok(line.length <= 150, `fits (${line.length} chars)`);
  t.match(line, /^! 1 needs you · zeta\/late:idle! alpha\/worker-00:idle /, 'the one that needs you first');
  const shown = line.split(' ').filter((item) => item.startsWith('alpha/')).length;
  t.match(line, new RegExp(` \\+${40 - shown}$`), `then ${shown} others and how many are left out`);
  t.equal(statusLine(many.slice(0, 3), 34), 'alpha/worker-00:idle +2', 'the count fits too');
  t.equal(
    statusLine([worker('alpha', 'a-very-long-handle', 'idle')], 10),
    'alpha/a-very-long-handle:idle',
    'one always',
  );
});
