/**
 * Work about one worker done one piece at a time, in the order its events came (a session's
 * start before its first result, its results in order); workers do not wait for each other.
 */
export class WorkerQueues {
  readonly #tails = new Map<string, Promise<void>>();

  constructor(private readonly onError: (key: string, error: Error) => void) {}

  /** Queue work for a worker; resolves once it ran (never rejects: failures go to onError). */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const tail = (this.#tails.get(key) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => this.onError(key, error as Error));
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return tail;
  }

  /** Resolves once everything queued for the worker so far has run. */
  settled(key: string): Promise<void> {
    return this.#tails.get(key) ?? Promise.resolve();
  }

  /** Resolves once everything queued for every worker so far has run. */
  async all(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}
