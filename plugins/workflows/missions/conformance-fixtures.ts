import { tmpdir } from 'node:os';

/**
 * The mission operations' fixtures for the plugin's conformance suite (conformance.test.ts loads
 * them). Structural types: test/kit is for *.test.ts files only. The fleet needs the workers plugin
 * with the test fake agent as `claude`: a mission's goal `SLEEP 3600000` keeps its worker's first turn
 * (and so the mission) running for the suite's length.
 */
interface Agent {
  handle: string;
  token: string;
  teamName: string;
}
interface Context {
  alpha: { lead: Agent; workers: Agent[] };
  call: (agent: Agent, method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;
}
type Fixture = Record<string, unknown> & { input: Record<string, unknown> };

let made = 0;
const body = () => ({
  goal: `SLEEP 3600000\nconformance mission ${++made}`,
  spawn: { handle: `cm-${process.pid}-${made}`, workingDir: tmpdir() },
  gates: [{ name: 'ok', argv: ['true'] }],
  maxIterations: 2,
});

/** A running mission of the owner team (its worker's first turn sleeps). */
const mission = async ({ alpha, call }: Context): Promise<string> =>
  String((await call(alpha.lead, 'POST', '/missions', body())).id);

const moving = 'a mission moves (its worker starts)';

export const fixtures: Record<string, (context: Context) => Promise<Fixture>> = {
  createMission: () => Promise.resolve({ input: body(), otherTeam: 'own' }),
  listMissions: async (context) => {
    await mission(context);
    return { input: {}, as: 'worker', otherTeam: 'own', skipAgreement: moving };
  },
  getMission: async (context) => {
    const id = await mission(context);
    return { input: { id }, as: 'worker', secrets: [id], skipAgreement: moving };
  },
  missionStatus: async (context) => {
    const id = await mission(context);
    return { input: { id }, as: 'worker', secrets: [id], skipAgreement: moving };
  },
  missionGates: async (context) => {
    const id = await mission(context);
    return { input: { id }, as: 'worker', secrets: [id] };
  },
  missionIterations: async (context) => {
    const id = await mission(context);
    return { input: { id }, as: 'worker', secrets: [id], skipAgreement: moving };
  },
  missionIteration: async (context) => {
    const id = await mission(context);
    return { input: { id, n: 1 }, as: 'worker', secrets: [id], skipAgreement: moving };
  },
  gateResults: async (context) => {
    const id = await mission(context);
    return { input: { id }, as: 'worker', secrets: [id] };
  },
  cancelMission: async (context) => {
    const id = await mission(context);
    return { input: { id }, secrets: [id] };
  },
};
