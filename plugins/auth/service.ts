import { agentUid, type AgentRole, type AgentType, type Identity } from '../../core/index.js';
import { type Kysely, type Selectable, sql } from 'kysely';
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

const toAgent = (row: Selectable<AgentsTable>): TeamAgent => ({
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

/**
 * The agents table. Other plugins reach it only through this api (ctx.use('auth')). It also keeps
 * each agent's token version in memory once read, since every request checks it.
 */
export class AgentService {
  readonly #db: Kysely<AuthTables>;
  readonly #touched = new Map<string, number>();
  readonly #versions = new Map<string, number>();
  readonly #onRevoked: (uid: string, reason: string) => void;

  /** `onRevoked` hears of every agent whose earlier tokens stop working (to close its sockets). */
  constructor(db: Kysely<AuthTables>, onRevoked: (uid: string, reason: string) => void = () => undefined) {
    this.#db = db;
    this.#onRevoked = onRevoked;
  }

  /** The version of tokens an agent accepts now; undefined for no agent. */
  async tokenVersion(uid: string): Promise<number | undefined> {
    const known = this.#versions.get(uid);
    if (known !== undefined) return known;
    const row = await this.#db.selectFrom('agents').select('token_version').where('uid', '=', uid).executeTakeFirst();
    if (row) this.#versions.set(uid, Number(row.token_version));
    return row ? Number(row.token_version) : undefined;
  }

  /** End every token the agent holds; the next token minted for it works. Returns the new version. */
  async revoke(uid: string, reason: string): Promise<number | undefined> {
    await this.#db
      .updateTable('agents')
      .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
      .where('uid', '=', uid)
      .execute();
    this.#versions.delete(uid);
    const version = await this.tokenVersion(uid);
    this.#onRevoked(uid, reason);
    return version;
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

  /** Agents of one team, or of the fleet when teamName is undefined. */
  async count(teamName?: string): Promise<number> {
    let query = this.#db.selectFrom('agents').select((eb) => eb.fn.countAll<number>().as('n'));
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Insert or update an agent; one statement, so concurrent registrations of one handle agree. A
   * new type or role raises its token version: tokens that carried the old one stop working.
   */
  async upsert(identity: Identity): Promise<{ agent: TeamAgent; tokenVersion: number }> {
    const now = Date.now();
    const before = await this.tokenVersion(identity.uid);
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
        oc.column('uid').doUpdateSet({
          agent_type: identity.agentType,
          role: identity.role,
          last_seen: now,
          // In the same statement: a registration that changes the type or role ends older tokens.
          token_version: sql<number>`case when agents.agent_type <> ${identity.agentType}
            or agents.role <> ${identity.role} then agents.token_version + 1 else agents.token_version end`,
        }),
      )
      .execute();
    this.#versions.delete(identity.uid);
    const tokenVersion = (await this.tokenVersion(identity.uid))!;
    if (before !== undefined && tokenVersion !== before) this.#onRevoked(identity.uid, 'its type or role changed');
    return { agent: (await this.get(identity.uid))!, tokenVersion };
  }

  /** Note that an agent was heard from; written at most once a minute per agent. */
  async touch(uid: string): Promise<void> {
    const now = Date.now();
    if (now - (this.#touched.get(uid) ?? 0) < 60_000) return;
    this.#touched.set(uid, now);
    await this.#db.updateTable('agents').set({ last_seen: now }).where('uid', '=', uid).execute();
  }
}
