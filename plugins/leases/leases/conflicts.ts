import { covers, isGlob, overlapping, patternsOverlap } from './overlap.js';
import { LeaseIndex } from './lease-index.js';
import { isActive, type LeaseMode, type LeaseView } from './lease-store.js';

/** A lease of another holder that forbids writing a path now. */
export interface LeaseBlocker {
  /** '' for another team's lease: nothing of another team is named. */
  leaseId: string;
  /** null: another team holds it. */
  holder: string | null;
  /** The lease's team; '' for another team's. */
  teamName: string;
  /** The caller's path (or pattern) that is forbidden. */
  path: string;
  /** The lease's pattern that covers it; '' for another team's. */
  pattern: string;
  mode: LeaseMode;
  expiresAt: string | null;
}

/** One lease standing in the way of an acquisition, with the requested patterns it overlaps. */
export interface Conflict {
  lease: LeaseView;
  paths: string[];
}

const sameHolder = (lease: LeaseView, teamName: string, holder: string) =>
  lease.teamName === teamName && lease.holder === holder;

/**
 * The active leases an acquisition of `paths` in `mode` by (teamName, holder) conflicts with: an
 * exclusive lease (theirs or ours) against any overlapping lease of another holder; shared with shared
 * never. The same holder never conflicts with itself. `active` holds only unexpired, granted leases.
 */
export function conflictsFor(
  request: { teamName: string; holder: string; mode: LeaseMode; paths: readonly string[] },
  active: readonly LeaseView[],
): Conflict[] {
  const out: Conflict[] = [];
  for (const lease of active) {
    if (sameHolder(lease, request.teamName, request.holder)) continue;
    if (lease.mode === 'shared' && request.mode === 'shared') continue;
    const paths = overlapping(request.paths, lease.paths);
    if (paths.length > 0) out.push({ lease, paths });
  }
  return out;
}

/** Does one of the lease's patterns touch `path` (covered, for a path; overlapping, for a glob)? */
function touching(lease: LeaseView, path: string): string | undefined {
  if (isGlob(path)) return lease.paths.find((pattern) => patternsOverlap(pattern, path));
  return lease.paths.find((pattern) => covers(pattern, path));
}

/**
 * The leases of others that forbid (teamName, handle) writing these repo-relative paths: an exclusive
 * lease of another holder forbids; a shared one forbids unless the caller holds a shared lease that
 * touches the path too. `leases`: the repository's granted leases (every team), indexed or a plain list;
 * those expired at `now` are skipped. A glob asked about (POST /leases/check) is compared with every lease.
 */
export function blockersFor(
  teamName: string,
  handle: string,
  paths: readonly string[],
  leases: LeaseIndex | readonly LeaseView[],
  /** Default: every lease given counts (a plain list holds active leases only). */
  now = Number.NEGATIVE_INFINITY,
): LeaseBlocker[] {
  const index = leases instanceof LeaseIndex ? leases : new LeaseIndex(leases);
  const out: LeaseBlocker[] = [];
  for (const path of paths) {
    const touched = isGlob(path)
      ? index.leases.flatMap((lease) => {
          const pattern = isActive(lease, now) ? touching(lease, path) : undefined;
          return pattern === undefined ? [] : [{ lease, pattern }];
        })
      : index.candidates(path, now).filter((entry) => covers(entry.pattern, path));
    if (touched.length === 0) continue;
    const sharing = touched.some(({ lease }) => sameHolder(lease, teamName, handle) && lease.mode === 'shared');
    const seen = new Set<string>();
    for (const { lease, pattern } of touched) {
      if (sameHolder(lease, teamName, handle) || seen.has(lease.id)) continue;
      if (lease.mode === 'shared' && sharing) continue;
      seen.add(lease.id);
      const ours = lease.teamName === teamName;
      out.push({
        leaseId: ours ? lease.id : '',
        holder: ours ? lease.holder : null,
        teamName: ours ? lease.teamName : '',
        path,
        pattern: ours ? pattern : '',
        mode: lease.mode,
        expiresAt: lease.expiresAt,
      });
    }
  }
  return out;
}
