import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Identity, PluginContext } from '../../../core/index.js';
import type { Clock } from '../clock.js';
import { scheduleErrors } from '../errors.js';
import type { CatchUp, OverlapPolicy } from '../fields.js';
import type { ScheduleAction } from './action.js';
import { CronSpec } from './cron.js';
import { DEFAULT_SCHEDULES } from './defaults.js';
import type { ScheduleTables, SchedulesTable } from './tables.js';
import { type ScheduleView, scheduleView } from './views.js';

/** The seed's body plus ours: tasks (template names) and/or one action. */
export interface ScheduleInput {
  name: string;
  cron: string;
  tasks?: readonly string[];
  action?: ScheduleAction;
  repository?: string;
  enabled?: boolean;
  timezone?: string;
  catchUp?: CatchUp;
  overlap?: { max: number; policy: OverlapPolicy };
}

type Creator = Pick<Identity, 'uid' | 'handle' | 'teamName'>;

export const newScheduleId = () => `sched_${randomBytes(12).toString('hex')}`;

/** Schedules of every team, each call scoped to the team it names. */
export class ScheduleService {
  constructor(
    private readonly db: Kysely<ScheduleTables>,
    private readonly clock: Clock,
    private readonly emit: PluginContext['events']['emit'],
    private readonly defaultTimezone: () => string,
  ) {}

  /** Validate and build the row (cron and time zone parsed: a 400 names either). */
  #row(team: string, input: ScheduleInput, creator: Creator, source: string): Selectable<SchedulesTable> {
    const tasks = input.tasks ?? [];
    const actions: ScheduleAction[] = [
      ...tasks.map((template) => ({
        kind: 'template' as const,
        template,
        ...(input.repository !== undefined ? { context: { repository: input.repository } } : {}),
      })),
      ...(input.action ? [input.action] : []),
    ];
    if (actions.length === 0) throw scheduleErrors.SCHEDULER_NO_ACTION({}, { field: 'tasks' });
    const timezone = input.timezone ?? this.defaultTimezone();
    const spec = CronSpec.parse(input.cron, timezone);
    const now = this.clock.now();
    const enabled = input.enabled ?? true;
    return {
      id: newScheduleId(),
      team_name: team,
      name: input.name,
      cron: spec.expression,
      timezone,
      actions: JSON.stringify(actions),
      tasks: JSON.stringify(tasks),
      repository: input.repository ?? null,
      enabled: enabled ? 1 : 0,
      catch_up: JSON.stringify(input.catchUp ?? 'latest_once'),
      overlap_max: input.overlap?.max ?? 1,
      overlap_policy: input.overlap?.policy ?? 'skip',
      source,
      created_uid: creator.uid,
      created_handle: creator.handle,
      created_at: now,
      updated_at: now,
      covered_until: now,
      next_slot: spec.nextAfter(now) ?? null,
    };
  }

  async create(caller: Creator, input: ScheduleInput, source = 'api'): Promise<ScheduleView> {
    const row = this.#row(caller.teamName, input, caller, source);
    const taken = await this.#byName(caller.teamName, input.name);
    if (taken) throw scheduleErrors.SCHEDULER_NAME_TAKEN({ name: input.name }, { field: 'name' });
    await this.db.insertInto('schedules').values(row).execute();
    const view = scheduleView(row);
    this.emit('schedule_created', caller.teamName, { schedule: view });
    return view;
  }

  /** Config schedules: created, or replaced in place (same id, same covered slots) when they changed. */
  async upsertFromConfig(team: string, input: ScheduleInput): Promise<void> {
    const creator = { uid: 'config', handle: 'config', teamName: team };
    const row = this.#row(team, input, creator, 'config');
    const existing = await this.#byName(team, input.name);
    if (!existing) {
      await this.db.insertInto('schedules').values(row).execute();
      this.emit('schedule_created', team, { schedule: scheduleView(row) });
      return;
    }
    const { id: _id, created_at: _created, covered_until: _covered, next_slot: _next, ...change } = row;
    const spec = CronSpec.parse(row.cron, row.timezone);
    await this.db
      .updateTable('schedules')
      .set({ ...change, next_slot: spec.nextAfter(Number(existing.covered_until)) ?? null })
      .where('id', '=', existing.id)
      .execute();
  }

  async #byName(team: string, name: string) {
    return this.db
      .selectFrom('schedules')
      .selectAll()
      .where('team_name', '=', team)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async row(team: string, id: string): Promise<Selectable<SchedulesTable>> {
    const row = await this.db
      .selectFrom('schedules')
      .selectAll()
      .where('id', '=', id)
      .where('team_name', '=', team)
      .executeTakeFirst();
    if (!row) throw scheduleErrors.SCHEDULER_SCHEDULE_NOT_FOUND();
    return row;
  }

  async #lastSlots(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('schedule_runs')
      .select(['schedule_id', (eb) => eb.fn.max('slot').as('last')])
      .where('schedule_id', 'in', ids)
      .where('outcome', 'is not', null)
      .where('outcome', '!=', 'skipped')
      .groupBy('schedule_id')
      .execute();
    return new Map(rows.map((row) => [row.schedule_id, Number(row.last)]));
  }

  async get(team: string, id: string): Promise<ScheduleView> {
    const row = await this.row(team, id);
    return scheduleView(row, (await this.#lastSlots([id])).get(id));
  }

  async list(team: string): Promise<ScheduleView[]> {
    const rows = await this.db
      .selectFrom('schedules')
      .selectAll()
      .where('team_name', '=', team)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const last = await this.#lastSlots(rows.map((row) => row.id));
    return rows.map((row) => scheduleView(row, last.get(row.id)));
  }

  async remove(caller: Identity, id: string): Promise<{ message: string; id: string }> {
    const row = await this.row(caller.teamName, id);
    if (row.source === 'config') throw scheduleErrors.SCHEDULER_READ_ONLY({ name: row.name });
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('schedules').where('id', '=', id).execute();
      // Runs not yet dispatched never will be: they say why (the dispatched ones keep their record).
      await trx
        .updateTable('schedule_runs')
        .set({ status: 'done', outcome: 'skipped', reason: 'schedule deleted', finished_at: this.clock.now() })
        .where('schedule_id', '=', id)
        .where('status', '=', 'waiting')
        .execute();
    });
    this.emit('schedule_deleted', caller.teamName, { id, name: row.name, by: caller.handle });
    return { message: 'Schedule removed', id };
  }

  /**
   * Enable or disable. Enabling starts from now: slots while it was disabled are not caught up
   * (disabled means "do not run"), so covered_until moves to now.
   */
  async setEnabled(
    caller: Identity,
    id: string,
    enabled: boolean,
  ): Promise<{ message: string; schedule: ScheduleView }> {
    const row = await this.row(caller.teamName, id);
    const now = this.clock.now();
    const wasEnabled = Number(row.enabled) === 1;
    if (wasEnabled !== enabled) {
      const spec = CronSpec.parse(row.cron, row.timezone);
      await this.db
        .updateTable('schedules')
        .set({
          enabled: enabled ? 1 : 0,
          updated_at: now,
          ...(enabled ? { covered_until: now, next_slot: spec.nextAfter(now) ?? null } : {}),
        })
        .where('id', '=', id)
        .execute();
    }
    const schedule = await this.get(caller.teamName, id);
    if (wasEnabled !== enabled)
      this.emit('schedule_updated', caller.teamName, { schedule, change: enabled ? 'enabled' : 'disabled' });
    return { message: enabled ? 'Schedule enabled' : 'Schedule disabled', schedule };
  }

  /** The defaults, by name: a second call (or a schedule of that name already there) adds nothing. */
  async loadDefaults(caller: Identity): Promise<{ message: string; count: number; added: string[] }> {
    const added: string[] = [];
    for (const input of DEFAULT_SCHEDULES) {
      if (await this.#byName(caller.teamName, input.name)) continue;
      await this.create(caller, input, 'defaults');
      added.push(input.name);
    }
    return { message: 'Default schedules loaded', count: DEFAULT_SCHEDULES.length, added };
  }

  async counts(team: string | undefined): Promise<{ schedules: number; enabled: number }> {
    let query = this.db
      .selectFrom('schedules')
      .select([(eb) => eb.fn.countAll<number>().as('all'), (eb) => eb.fn.sum<number>('enabled').as('enabled')]);
    if (team !== undefined) query = query.where('team_name', '=', team);
    const row = await query.executeTakeFirstOrThrow();
    return { schedules: Number(row.all), enabled: Number(row.enabled ?? 0) };
  }
}
