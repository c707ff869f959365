import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

const SECRET = 'ALPHA-CHECKPOINT-SECRET';

/** A checkpoint of team alpha, from its first worker to its second (or as given). */
const checkpoint = ({ alpha, call }: FixtureContext, goal: string, to = 'alpha-w2') =>
  call(alpha.workers[0]!, 'POST', '/checkpoints', { toHandle: to, goal: `${SECRET} ${goal}`, now: 'testing' });

t.test('checkpoints: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, checkpoints: true } });
  await runConformance(t, {
    fleet,
    plugin: 'checkpoints',
    fixtures: {
      createCheckpoint: async () => ({
        input: {
          toHandle: 'alpha-w2',
          goal: 'Ship the parser',
          now: 'Writing tests',
          test: 'npm test',
          doneThisSession: [{ task: 'lexer', files: ['src/lexer.ts'] }],
          next: ['parser'],
        },
        as: 'worker',
        otherTeam: 'own',
      }),
      getCheckpoint: async (context) => {
        const created = await checkpoint(context, 'get');
        return { input: { id: created.id }, as: 'worker', secrets: [SECRET] };
      },
      latestCheckpoint: async (context) => {
        await checkpoint(context, 'latest', 'alpha-w1');
        return { input: { handle: 'alpha-w1' }, as: 'worker', secrets: [SECRET] };
      },
      listCheckpoints: async (context) => {
        await checkpoint(context, 'list');
        return { input: { handle: 'alpha-w1', status: 'pending', limit: 10 }, otherTeam: 'own', secrets: [SECRET] };
      },
      loadCheckpoint: async (context) => {
        const created = await checkpoint(context, 'load');
        return { input: { id: created.id }, as: 'worker', secrets: [SECRET] };
      },
      checkpointList: async (context) => {
        await checkpoint(context, 'checkpoint_list');
        return { input: { status: 'pending' }, as: 'worker', otherTeam: 'own', secrets: [SECRET] };
      },
      acceptCheckpoint: async (context) => {
        const created = await checkpoint(context, 'accept');
        return { input: { id: created.id, note: 'thanks' }, secrets: [SECRET] };
      },
      rejectCheckpoint: async (context) => {
        const created = await checkpoint(context, 'reject');
        return { input: { id: created.id, note: 'not mine' }, secrets: [SECRET] };
      },
    },
  });
});
