/**
 * The conformance fixtures of the tools' operations, for the plugin's conformance suite
 * (conformance.test.ts spreads them into its fixtures). Typed structurally: plugin sources may not
 * import test/kit; runConformance's FixtureContext satisfies this.
 */
interface Agent {
  handle: string;
  uid: string;
  token: string;
  teamName: string;
}
interface Context {
  alpha: { lead: Agent; workers: Agent[] };
  call: (agent: Agent, method: string, path: string, body?: unknown) => Promise<unknown>;
}
interface ToolFixture {
  input: Record<string, unknown>;
  as?: 'lead' | 'worker';
  secrets?: readonly string[];
  otherTeam?: 'deny' | 'own';
}

const SECRET = 'ALPHA-TOOLS-SECRET';
const nodes = [
  { id: 'a', estimatedDuration: 2, priority: 1 },
  { id: 'b', estimatedDuration: 3, dependsOn: ['a'] },
];

/** A fixture that needs nothing made first. */
const plain = (fixture: ToolFixture) => () => Promise.resolve(fixture);

let sessions = 0;
/** A session text of team alpha, indexed by its first worker; its id. */
async function indexed({ alpha, call }: Context): Promise<string> {
  const sessionId = `conf-${++sessions}`;
  await call(alpha.workers[0]!, 'POST', '/search/index', { sessionId, content: `walrus ${SECRET}` });
  return sessionId;
}

export const toolFixtures: Record<string, (context: Context) => Promise<ToolFixture>> = {
  lmshTranslate: plain({ input: { input: 'show the git status' }, as: 'worker', otherTeam: 'own' }),
  lmshAliases: async ({ alpha, call }) => {
    await call(alpha.lead, 'POST', '/lmsh/aliases', { alias: 'alpha secret', command: `echo ${SECRET}` });
    return { input: {}, as: 'worker', otherTeam: 'own', secrets: [SECRET] };
  },
  lmshAddAlias: plain({ input: { alias: 'deploy', command: 'make deploy' }, otherTeam: 'own' }),
  lmshRemoveAlias: async ({ alpha, call }) => {
    await call(alpha.lead, 'POST', '/lmsh/aliases', { alias: 'remove me', command: 'true' });
    return { input: { alias: 'remove me' } };
  },
  dagSort: plain({ input: { nodes }, as: 'worker', otherTeam: 'own' }),
  dagCycles: plain({ input: { nodes }, as: 'worker', otherTeam: 'own' }),
  dagCriticalPath: plain({ input: { nodes }, as: 'worker', otherTeam: 'own' }),
  dagReady: plain({ input: { nodes, completed: ['a'] }, as: 'worker', otherTeam: 'own' }),
  routingClassify: plain({
    input: { subject: 'Refactor the parser', description: 'split it', blockedBy: ['t1'] },
    as: 'worker',
    otherTeam: 'own',
  }),
  searchSessions: async (context) => {
    await indexed(context);
    return { input: { query: 'walrus', limit: 5 }, as: 'worker', otherTeam: 'own', secrets: [SECRET] };
  },
  indexSession: plain({
    input: { sessionId: 'conf-index', content: 'notes of a session', timestamp: 1000, model: 'opus' },
    as: 'worker',
    otherTeam: 'own',
  }),
  searchStats: async (context) => {
    await indexed(context);
    return { input: {}, as: 'worker', otherTeam: 'own' };
  },
  deleteSessionText: async (context) => ({ input: { sessionId: await indexed(context) }, secrets: [SECRET] }),
};
