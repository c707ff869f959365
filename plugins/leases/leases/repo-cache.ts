import { LeaseIndex } from './lease-index.js';
import type { LeaseView } from './lease-store.js';

/**
 * The active leases of each repository, kept in memory for blockers() (it runs on every edit). A
 * change this process makes drops its repo's copy at once; a copy older than `maxAgeMs` is read again,
 * which bounds how long a change made by another fleet node (PostgreSQL, several nodes) goes unseen.
 * Multi-node: later, the nodes' events could invalidate each other's copies instead of waiting.
 * Expiry is judged by the caller at read time, so a cached lease never outlives its expiry.
 */
export class RepoCache {
  #entries = new Map<string, { at: number; leases: Promise<LeaseIndex> }>();
  #generation = new Map<string, number>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly load: (repo: string) => Promise<LeaseView[]>,
    private readonly maxRepos = 500,
  ) {}

  get(repo: string): Promise<LeaseIndex> {
    const now = Date.now();
    const entry = this.#entries.get(repo);
    if (entry && now - entry.at < this.maxAgeMs) return entry.leases;
    const generation = this.#generation.get(repo) ?? 0;
    const leases = this.load(repo).then((rows) => new LeaseIndex(rows));
    if (this.maxAgeMs > 0) {
      if (this.#entries.size >= this.maxRepos && !this.#entries.has(repo))
        this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(repo, { at: now, leases });
      // A failed read, or one overtaken by a change while it ran, is not kept.
      leases.then(
        () => {
          if ((this.#generation.get(repo) ?? 0) !== generation) this.#drop(repo, leases);
        },
        () => this.#drop(repo, leases),
      );
    }
    return leases;
  }

  invalidate(repo: string): void {
    this.#generation.set(repo, (this.#generation.get(repo) ?? 0) + 1);
    this.#entries.delete(repo);
  }

  #drop(repo: string, leases: Promise<LeaseIndex>): void {
    if (this.#entries.get(repo)?.leases === leases) this.#entries.delete(repo);
  }
}
