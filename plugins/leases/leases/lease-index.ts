import { isActive, type LeaseView } from './lease-store.js';
import { isGlob } from './overlap.js';

interface Node {
  children: Map<string, Node>;
  /** Patterns whose literal leading segments end at this node. */
  here: { lease: LeaseView; pattern: string }[];
}

const node = (): Node => ({ children: new Map(), here: [] });

/**
 * The active leases of one repository, indexed for blockers(): each pattern sits in a tree under its
 * literal leading segments (lower-cased, up to its first glob segment). A pattern can cover a path only
 * if those segments lead the path, so a path's candidates are the patterns on its way down the tree —
 * not every lease of the repository. Built once per cached copy.
 */
export class LeaseIndex {
  readonly #root = node();

  constructor(readonly leases: readonly LeaseView[]) {
    for (const lease of leases)
      for (const pattern of lease.paths) {
        let at = this.#root;
        for (const segment of pattern.toLowerCase().split('/')) {
          if (isGlob(segment)) break;
          let next = at.children.get(segment);
          if (!next) at.children.set(segment, (next = node()));
          at = next;
        }
        at.here.push({ lease, pattern });
      }
  }

  /** The (lease, pattern) pairs that may cover a repo-relative path, of leases active at `now`. */
  candidates(relPath: string, now: number): { lease: LeaseView; pattern: string }[] {
    const out: { lease: LeaseView; pattern: string }[] = [];
    let at: Node | undefined = this.#root;
    const segments = relPath.toLowerCase().split('/');
    for (let i = 0; at; i++) {
      for (const entry of at.here) if (isActive(entry.lease, now)) out.push(entry);
      if (i >= segments.length) break;
      at = at.children.get(segments[i]!);
    }
    return out;
  }
}
