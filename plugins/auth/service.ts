import { agentUid, type AgentRole, type AgentType, type Identity } from '../../core/index.js';
import type { Kysely } from 'kysely';
import type { AgentsTable, AuthTables } from './tables.js';

/** The seed's TeamAgent, plus the role our tokens carry. */
export interface TeamAgent {
  uid: string;
  handle: string;
  teamName: string;
  agentType: AgentType;
  role: AgentRole;
  createdAt: string;
  lastSeen: string | null;
}

const toAgent = (row: AgentsTable): TeamAgent => ({
  uid: row.uid,
  handle: row.handle,
  teamName: row.team_name,
  agentType: row.agent_type,
  role: row.role,
  createdAt: new Date(Number(row.created_at)).toISOString(),
  lastSeen: row.last_seen === null ? null : new Date(Number(row.last_seen)).toISOString(),
});

/** How recently an agent was heard from: online under 2 minutes, away under 30, else offline. */
export function presenceOf(agent: TeamAgent, now = Date.now()): 'online' | 'away' | 'offline' {
  if (!agent.lastSeen) return 'offline';
  const age = now - Date.parse(agent.lastSeen);
  return age < 120_000 ? 'online' : age < 1_800_000 ? 'away' : 'offline';
}

/** The agents table. Other plugins reach it only through this api (ctx.use('auth')). */
export class AgentService {
  readonly #db: Kysely<AuthTables>;
  readonly #touched = new Map<string, number>();

  constructor(db: Kysely<AuthTables>) {
    this.#db = db;
  }

  async get(uid: string): Promise<TeamAgent | undefined> {
    const row = await this.#db.selectFrom('agents').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row ? toAgent(row) : undefined;
  }

  async findByHandle(teamName: string, handle: string): Promise<TeamAgent | undefined> {
    return this.get(agentUid(teamName, handle));
  }

  async listTeam(teamName: string): Promise<TeamAgent[]> {
    const rows = await this.#db
      .selectFrom('agents')
      .selectAll()
      .where('team_name', '=', teamName)
      .orderBy('handle')
      .execute();
    return rows.map(toAgent);
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('agents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Insert or update an agent; one statement, so concurrent registrations of one handle agree. */
  async upsert(identity: Identity): Promise<TeamAgent> {
    const now = Date.now();
    await this.#db
      .insertInto('agents')
      .values({
        uid: identity.uid,
        handle: identity.handle,
        team_name: identity.teamName,
        agent_type: identity.agentType,
        role: identity.role,
        created_at: now,
        last_seen: now,
      })
      .onConflict((oc) =>
        oc.column('uid').doUpdateSet({ agent_type: identity.agentType, role: identity.role, last_seen: now }),
      )
      .execute();
    return (await this.get(identity.uid))!;
  }

  /** Note that an agent was heard from; written at most once a minute per agent. */
  async touch(uid: string): Promise<void> {
    const now = Date.now();
    if (now - (this.#touched.get(uid) ?? 0) < 60_000) return;
    this.#touched.set(uid, now);
    await this.#db.updateTable('agents').set({ last_seen: now }).where('uid', '=', uid).execute();
  }
}
