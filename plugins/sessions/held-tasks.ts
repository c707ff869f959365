/** A task as a worker holds it. */
export interface HeldTask {
  id: string;
  subject: string;
}

/**
 * The task each worker holds (its in-progress task), asked of the tasks plugin once and kept: every
 * task event of a team forgets that team's (the events come as the change is made), and anything is
 * asked again after `ttlMs` as a safety net. A result asks this, not the database.
 */
export class HeldTasks {
  readonly #held = new Map<string, { task: HeldTask | undefined; at: number }>();

  constructor(
    private readonly lookup: (teamName: string, handle: string) => Promise<HeldTask | undefined>,
    private readonly ttlMs = 2000,
  ) {}

  async of(teamName: string, handle: string): Promise<HeldTask | undefined> {
    const key = `${teamName}/${handle}`;
    const known = this.#held.get(key);
    if (known && Date.now() - known.at < this.ttlMs) return known.task;
    const asked = Date.now();
    const task = await this.lookup(teamName, handle);
    // A task event while it was asked leaves nothing stale behind: only an answer newer than it is kept.
    if ((this.#forgotten.get(teamName) ?? 0) <= asked) this.#held.set(key, { task, at: asked });
    return task;
  }

  /** A task of the team changed: what is kept of its workers is asked again. */
  forgetTeam(teamName: string): void {
    this.#forgotten.set(teamName, Date.now());
    for (const key of this.#held.keys()) if (key.startsWith(`${teamName}/`)) this.#held.delete(key);
  }

  readonly #forgotten = new Map<string, number>();
}
