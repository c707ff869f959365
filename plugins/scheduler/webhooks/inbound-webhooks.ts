import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Logger, PluginContext } from '../../../core/index.js';
import { webhookErrors as E } from './errors.js';
import type { RuleAction, WebhookOptions, WebhookRule } from './options.js';
import type { ActionOutcome, ClockLike, Dispatch, RawRequest } from './ports.js';
import { actionsFor, factsOf, SEED_RULES, SUPPORTED_EVENTS, templateContext } from './rules.js';
import { fleetSignatureMatches, signatureMatches } from './signature.js';
import type { ProcessingKind, WebhookDeliveriesTable, WebhookTables } from './tables.js';

type Row = Selectable<WebhookDeliveriesTable>;
type Db = Kysely<WebhookTables>;

/** One action's result as a delivery records it. */
export interface DeliveryOutcome extends ActionOutcome {
  /** What ran: a template's name, a task's subject, else the action's kind. */
  action: string;
  kind: string;
}

export interface InboundWebhooksDeps {
  db: Db;
  clock: ClockLike;
  log: Logger;
  emit: PluginContext['events']['emit'];
  options: () => WebhookOptions;
  /** The dispatcher while the scheduler runs; undefined refuses every action (recorded as such). */
  dispatch: () => Dispatch | undefined;
  env?: Record<string, string | undefined>;
}

const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
const DELIVERY_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const TIMESTAMP = /^\d{1,12}$/;

function header(request: RawRequest, name: string, pattern: RegExp, required: boolean): string | undefined {
  const value = request.headers[name];
  if (value === undefined || value === '') {
    if (required) throw E.SCHEDULER_WEBHOOK_BAD_HEADER({ field: name, message: 'is required' }, { field: name });
    return undefined;
  }
  if (!pattern.test(value))
    throw E.SCHEDULER_WEBHOOK_BAD_HEADER({ field: name, message: `must match ${pattern.source}` }, { field: name });
  return value;
}

/** The payload of a GitHub body: JSON, or the `payload` field of a form-encoded one. */
function parseBody(request: RawRequest, form: boolean): unknown {
  let text = request.rawBody.toString('utf8');
  if (form && (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw E.SCHEDULER_WEBHOOK_BAD_BODY({ message: 'form body without a payload field' });
    text = payload;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw E.SCHEDULER_WEBHOOK_BAD_BODY({ message: 'is not valid JSON' });
  }
}

function actionLabel(action: RuleAction): string {
  if (action.kind === 'template') return action.template;
  if (action.kind === 'task') return action.subject;
  if (action.kind === 'workflow') return action.workflow;
  if (action.kind === 'prompt') return action.handle;
  return action.kind;
}

const parseOutcomes = (text: string | null): DeliveryOutcome[] => (text ? (JSON.parse(text) as DeliveryOutcome[]) : []);
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/**
 * Inbound webhooks: GitHub's (X-Hub-Signature-256) and generic signed senders (X-Fleet-Signature-256
 * over `<timestamp>.<body>`). A delivery is verified, stored unique by its sender's id, and only
 * then processed: its rules' actions go to the dispatcher, each outcome recorded. A redelivery is
 * answered from the record and never run twice; one stored but not processed when the server died
 * is processed by `recover()` at start.
 */
export class InboundWebhooks {
  readonly #d: InboundWebhooksDeps;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(deps: InboundWebhooksDeps) {
    this.#d = deps;
  }

  get #options() {
    return this.#d.options();
  }

  #githubSecret(): { secret?: string; source: 'options' | 'env' | null } {
    const fromOptions = this.#options.github?.secret;
    if (fromOptions) return { secret: fromOptions, source: 'options' };
    const fromEnv = (this.#d.env ?? process.env).GITHUB_WEBHOOK_SECRET;
    return fromEnv ? { secret: fromEnv, source: 'env' } : { source: null };
  }

  #checkSize(request: RawRequest) {
    const limit = this.#options.maxBodyBytes ?? 1_048_576;
    if (request.rawBody.length > limit) throw E.SCHEDULER_WEBHOOK_TOO_LARGE({ limit }, { limit });
  }

  /** POST /webhooks/github. Throws the coded refusals; answers the seed's shapes. */
  async receiveGithub(request: RawRequest): Promise<{ status: number; body: Record<string, unknown> }> {
    this.#checkSize(request);
    const { secret } = this.#githubSecret();
    const team = this.#options.team;
    // Refused before anything is read: an endpoint without a secret would run anyone's payload.
    if (!secret || !team) throw E.SCHEDULER_WEBHOOK_NOT_CONFIGURED({ missing: !secret ? 'no secret' : 'no team' });
    const signature = request.headers['x-hub-signature-256'];
    if (!signature) throw E.SCHEDULER_WEBHOOK_UNSIGNED();
    if (!signatureMatches(signature, secret, [request.rawBody])) throw E.SCHEDULER_WEBHOOK_BAD_SIGNATURE();
    const event = header(request, 'x-github-event', EVENT_NAME, true)!;
    const deliveryId = header(request, 'x-github-delivery', DELIVERY_ID, true)!;
    const payload = parseBody(request, true);
    const answer = await this.#accept(team, 'github', 'github', deliveryId, event, payload, request.rawBody);
    if (event === 'ping') {
      const body: Record<string, unknown> = { message: 'pong', deliveryId, id: answer.body.id };
      if (answer.body.duplicate) body.duplicate = true;
      return { status: 200, body };
    }
    return answer;
  }

  /** POST /webhooks/in/:name: a sender with its own secret, signing `<timestamp>.<body>`. */
  async receiveGeneric(name: string, request: RawRequest): Promise<{ status: number; body: Record<string, unknown> }> {
    this.#checkSize(request);
    const config = this.#options.generic?.[name];
    if (!config) throw E.SCHEDULER_WEBHOOK_UNKNOWN({ name });
    const team = config.team ?? this.#options.team;
    if (!team) throw E.SCHEDULER_WEBHOOK_NOT_CONFIGURED({ missing: 'no team' });
    const signature = request.headers['x-fleet-signature-256'];
    if (!signature) throw E.SCHEDULER_WEBHOOK_UNSIGNED();
    const timestamp = request.headers['x-fleet-timestamp'] ?? '';
    if (!TIMESTAMP.test(timestamp) || !fleetSignatureMatches(signature, config.secret, timestamp, request.rawBody))
      throw E.SCHEDULER_WEBHOOK_BAD_SIGNATURE();
    const tolerance = config.toleranceSeconds ?? 300;
    if (Math.abs(this.#d.clock.now() / 1000 - Number(timestamp)) > tolerance)
      throw E.SCHEDULER_WEBHOOK_STALE({ seconds: tolerance });
    const deliveryId = header(request, 'x-fleet-delivery', DELIVERY_ID, true)!;
    const event = header(request, 'x-fleet-event', EVENT_NAME, false) ?? 'message';
    const payload = parseBody(request, false);
    const answer = await this.#accept(team, 'generic', name, deliveryId, event, payload, request.rawBody);
    return { status: answer.status, body: { ...answer.body, name } };
  }

  /** Store (unique by sender id) before anything runs; then process, answering 202 if that takes long. */
  async #accept(
    team: string,
    source: string,
    name: string,
    deliveryId: string,
    event: string,
    payload: unknown,
    raw: Buffer,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const facts = factsOf(event, payload);
    const id = randomUUID();
    await this.#d.db
      .insertInto('webhook_deliveries')
      .values({
        id,
        team_name: team,
        source,
        name,
        delivery_id: deliveryId,
        event,
        action: facts.action,
        repository: facts.repository,
        payload: JSON.stringify(payload),
        payload_sha256: createHash('sha256').update(raw).digest('hex'),
        status: 'received',
        received_at: this.#d.clock.now(),
        claimed_at: null,
        processed_at: null,
        outcomes: null,
        error: null,
      })
      .onConflict((oc) => oc.columns(['source', 'name', 'delivery_id']).doNothing())
      .execute();
    const row = await this.#d.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('source', '=', source)
      .where('name', '=', name)
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    const base = { received: true, event, action: facts.action, deliveryId, id: row.id };
    if (row.id !== id) {
      // A redelivery: answered from the record, never run again (a lead replays on purpose).
      const outcomes = parseOutcomes(row.outcomes);
      return { status: 200, body: { ...base, duplicate: true, status: row.status, ...this.#summary(outcomes) } };
    }
    this.#d.emit('webhook_received', team, { id, source, name, deliveryId, event, action: facts.action });
    const processing = this.#track(this.#process(row, 'initial'));
    const wait = this.#options.answerWithinMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), wait)));
    const result = await Promise.race([processing, late]).finally(() => clearTimeout(timer));
    if (result === 'late' || result === undefined)
      return { status: 202, body: { ...base, processing: true, tasksQueued: 0, tasks: [] } };
    return { status: 200, body: { ...base, status: result.status, ...this.#summary(result.outcomes) } };
  }

  #summary(outcomes: DeliveryOutcome[]) {
    const started = outcomes.filter((o) => o.outcome === 'queued' || o.outcome === 'delivered');
    return { tasksQueued: started.length, tasks: outcomes.map((o) => o.action), outcomes };
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  #rulesFor(row: Row): readonly WebhookRule[] {
    if (row.source === 'github') return this.#options.github?.rules ?? SEED_RULES;
    return this.#options.generic?.[row.name]?.rules ?? [];
  }

  /**
   * Run a delivery's rules once. The first run and a recovery claim the delivery atomically (a
   * stored one, or one whose claim outlived the lease: its server died), so it never runs twice.
   */
  async #process(
    row: Row,
    kind: ProcessingKind,
    actor?: string,
  ): Promise<{ status: 'processed' | 'failed'; outcomes: DeliveryOutcome[] } | undefined> {
    const db = this.#d.db;
    const now = this.#d.clock.now();
    if (kind !== 'replay') {
      const lease = (this.#options.processingLeaseSeconds ?? 300) * 1000;
      const claimed = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'processing', claimed_at: now })
        .where('id', '=', row.id)
        .where((eb) =>
          eb.or([
            eb('status', '=', 'received'),
            eb.and([eb('status', '=', 'processing'), eb('claimed_at', '<', now - lease)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return undefined;
    }
    const { id: processingId } = await db
      .insertInto('webhook_processings')
      .values({ delivery: row.id, team_name: row.team_name, kind, actor: actor ?? null, started_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const outcomes: DeliveryOutcome[] = [];
    let error: string | null = null;
    try {
      const facts = factsOf(row.event, JSON.parse(row.payload));
      const context = templateContext(facts);
      for (const action of actionsFor(this.#rulesFor(row), facts)) {
        // A template learns what the delivery was about (the seed's context), unless the rule set one.
        const full = action.kind === 'template' && action.context === undefined ? { ...action, context } : action;
        outcomes.push({ action: actionLabel(action), kind: action.kind, ...(await this.#dispatch(row, full, actor)) });
      }
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
      this.#d.log.warn(`webhook delivery ${row.id} (${row.event}) failed to process: ${error}`);
    }
    const status = error === null ? 'processed' : 'failed';
    const finished = this.#d.clock.now();
    await db
      .updateTable('webhook_processings')
      .set({ finished_at: finished, outcomes: JSON.stringify(outcomes), error })
      .where('id', '=', processingId)
      .execute();
    await db
      .updateTable('webhook_deliveries')
      .set({ status, processed_at: finished, outcomes: JSON.stringify(outcomes), error })
      .where('id', '=', row.id)
      .execute();
    this.#d.emit('webhook_processed', row.team_name, {
      id: row.id,
      deliveryId: row.delivery_id,
      kind,
      status,
      outcomes: outcomes.map((o) => ({
        action: o.action,
        outcome: o.outcome,
        ...(o.reason ? { reason: o.reason } : {}),
      })),
    });
    return { status, outcomes };
  }

  async #dispatch(row: Row, action: RuleAction, actor?: string): Promise<ActionOutcome> {
    const dispatch = this.#d.dispatch();
    if (!dispatch) return { outcome: 'refused', reason: 'the scheduler’s dispatcher is not running' };
    try {
      return await dispatch(row.team_name, action, { kind: 'webhook', id: row.id, ...(actor ? { actor } : {}) });
    } catch (cause) {
      return { outcome: 'failed', reason: cause instanceof Error ? cause.message : String(cause) };
    }
  }

  /** At start: process what was stored but not processed, and take over claims whose server died. */
  async recover(): Promise<number> {
    const lease = (this.#options.processingLeaseSeconds ?? 300) * 1000;
    const rows = await this.#d.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('status', '=', 'received'),
          eb.and([eb('status', '=', 'processing'), eb('claimed_at', '<', this.#d.clock.now() - lease)]),
        ]),
      )
      .orderBy('received_at')
      .execute();
    let count = 0;
    for (const row of rows) if (await this.#track(this.#process(row, 'recovery'))) count++;
    return count;
  }

  /** Wait for processings under way (the plugin stops after them). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  status(teamName: string) {
    const options = this.#options;
    const { source } = this.#githubSecret();
    return {
      configured: source !== null && options.team !== undefined,
      endpoint: '/webhooks/github',
      supportedEvents: [...SUPPORTED_EVENTS],
      secretSource: source,
      forThisTeam: options.team === teamName,
      maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
      rules: options.github?.rules ? 'configured' : 'seed defaults',
      generic: Object.entries(options.generic ?? {})
        .filter(([, config]) => (config.team ?? options.team) === teamName)
        .map(([name, config]) => ({ name, endpoint: `/webhooks/in/${name}`, rules: config.rules?.length ?? 0 })),
    };
  }

  async #processings(ids: readonly string[]) {
    if (ids.length === 0) return new Map<string, unknown[]>();
    const rows = await this.#d.db
      .selectFrom('webhook_processings')
      .selectAll()
      .where('delivery', 'in', [...ids])
      .orderBy('id')
      .execute();
    const map = new Map<string, unknown[]>();
    for (const row of rows) {
      const list = map.get(row.delivery) ?? [];
      list.push({
        kind: row.kind,
        actor: row.actor,
        startedAt: iso(row.started_at),
        finishedAt: iso(row.finished_at),
        outcomes: parseOutcomes(row.outcomes),
        error: row.error,
      });
      map.set(row.delivery, list);
    }
    return map;
  }

  #view(row: Row, processings: unknown[] = []) {
    return {
      id: row.id,
      source: row.source,
      name: row.name,
      deliveryId: row.delivery_id,
      event: row.event,
      action: row.action,
      repository: row.repository,
      status: row.status,
      receivedAt: iso(row.received_at),
      processedAt: iso(row.processed_at),
      payloadSha256: row.payload_sha256,
      outcomes: parseOutcomes(row.outcomes),
      error: row.error,
      processings,
    };
  }

  /** The team's deliveries, newest first, each with every processing's outcomes. */
  async history(teamName: string, query: { limit: number; source?: string; event?: string }) {
    let select = this.#d.db.selectFrom('webhook_deliveries').selectAll().where('team_name', '=', teamName);
    if (query.source) select = select.where('source', '=', query.source);
    if (query.event) select = select.where('event', '=', query.event);
    const rows = await select.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    const processings = await this.#processings(rows.map((row) => row.id));
    return rows.map((row) => this.#view(row, processings.get(row.id)));
  }

  async #require(teamName: string, id: string): Promise<Row> {
    const row = await this.#d.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw E.SCHEDULER_WEBHOOK_DELIVERY_NOT_FOUND();
    return row;
  }

  /** One delivery with its payload (another team's is 404). */
  async get(teamName: string, id: string) {
    const row = await this.#require(teamName, id);
    const processings = await this.#processings([id]);
    return { ...this.#view(row, processings.get(id)), payload: JSON.parse(row.payload) as unknown };
  }

  /** Run a delivery's rules again, on purpose, recorded as a replay by `actor`. */
  async replay(teamName: string, id: string, actor: string) {
    const row = await this.#require(teamName, id);
    const result = (await this.#track(this.#process(row, 'replay', actor)))!;
    return {
      replayed: true,
      id,
      deliveryId: row.delivery_id,
      event: row.event,
      action: row.action,
      status: result.status,
      ...this.#summary(result.outcomes),
    };
  }
}
