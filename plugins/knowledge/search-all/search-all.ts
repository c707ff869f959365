import type { Identity } from '../../../core/index.js';
import { isLead } from '../../../core/index.js';
import type { DocumentQuery } from '../documents/search.js';
import type { DocumentHit } from '../documents/search.js';
import { searchTerms, type Term } from '../documents/terms.js';
import { coverage, highlight, textScore } from './text-match.js';

export const SEARCH_KINDS = ['document', 'memory', 'summary', 'mail', 'task', 'handoff'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface UnifiedHit {
  kind: SearchKind;
  /** What it is, in a line: the source and heading, the memory key, the file path, the mail's subject... */
  title: string;
  /** Where it came from: the fields that find it again (source, key and scope, path, mail id, task id...). */
  from: Record<string, unknown>;
  snippet: string;
  /**
   * 0–1: its score over the best score of its kind in this answer (every hit has every query word, so
   * that is what tells hits apart; each kind's best is 1, ties go to the newer).
   */
  score: number;
  at: string | null;
}

/** What each kind of thing is searched with: the plugins' apis, each one a function that may be absent. */
export interface SearchPorts {
  documents(teamName: string, query: DocumentQuery): Promise<{ results: DocumentHit[] }>;
  /** Team memory and the viewer's own (a lead's viewer: every worker's of the team). */
  memory?(
    teamName: string,
    query: string,
    limit: number,
    viewer: { handle: string; lead: boolean },
  ): Promise<{ key: string; value: string; scope: string; owner: string | null; updatedAt: unknown; score: number }[]>;
  summaries?(
    teamName: string,
    query: string,
    limit: number,
  ): Promise<{ path: string; summary: string; updatedAt: unknown; score: number }[]>;
  mail?(
    teamName: string,
    handle: string,
  ): Promise<{ id: number; fromHandle: string; subject: string | null; body: string; createdAt: number }[]>;
  tasks?(teamName: string): Promise<
    {
      id: string;
      subject: string;
      description: string | null;
      status: string;
      ownerHandle: string | null;
      updatedAt: string;
    }[]
  >;
  handoffs?(
    teamName: string,
    handle: string,
  ): Promise<{ id: number; fromHandle: string; context: Record<string, unknown>; createdAt: number }[]>;
}

interface Raw {
  kind: SearchKind;
  title: string;
  from: Record<string, unknown>;
  text: string;
  snippet: string;
  score: number;
  at: string | null;
}

const iso = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  const date =
    typeof value === 'number' || typeof value === 'string' || value instanceof Date ? new Date(value) : new Date(NaN);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};
const stripMarks = (text: string) => text.replace(/<\/?b>/g, '');

/** Things searched here (no engine behind them): keep those with every query word, score them. */
function scan<T>(
  terms: readonly Term[],
  items: readonly T[],
  toRaw: (item: T) => Omit<Raw, 'score' | 'snippet'>,
): Raw[] {
  const out: Raw[] = [];
  for (const item of items) {
    const raw = toRaw(item);
    if (coverage(terms, raw.text) < 1) continue;
    out.push({ ...raw, score: textScore(terms, raw.text), snippet: highlight(terms, raw.text) });
  }
  return out;
}

export interface SearchAllResult {
  results: UnifiedHit[];
  count: number;
  /** The kinds searched, and those not (their plugin is off, or the caller left them out). */
  searched: SearchKind[];
  skipped: SearchKind[];
}

/**
 * One query over the caller's team's documents, memory, code summaries, tasks, and the caller's own
 * mail and open handoffs. Memory another worker keeps for itself is left out unless the caller leads.
 * Each kind is searched by its own plugin's api (its engine where it has one); the hits are merged by a
 * score comparable across kinds (see UnifiedHit.score). Every word must match, as in /knowledge/search.
 */
export async function searchAll(
  ports: SearchPorts,
  caller: Identity,
  input: { query: string; kinds?: readonly SearchKind[]; limit: number },
): Promise<SearchAllResult> {
  const terms = searchTerms(input.query);
  const wanted = new Set(input.kinds && input.kinds.length > 0 ? input.kinds : SEARCH_KINDS);
  const team = caller.teamName;
  const per = Math.min(100, input.limit * 2);
  const searched: SearchKind[] = [];
  const work: Promise<Raw[]>[] = [];
  const run = (kind: SearchKind, available: boolean, search: () => Promise<Raw[]>) => {
    if (!wanted.has(kind) || !available) return;
    searched.push(kind);
    work.push(search());
  };
  run('document', true, async () =>
    (await ports.documents(team, { terms, match: 'all', limit: per, offset: 0 })).results.map((hit) => ({
      kind: 'document' as const,
      title: hit.heading ? `${hit.source} › ${hit.heading}` : hit.source,
      from: { source: hit.source, heading: hit.heading, chunk: hit.chunk, id: hit.id },
      text: `${hit.heading}\n${stripMarks(hit.snippet)}`,
      snippet: hit.snippet,
      score: hit.score,
      at: hit.at,
    })),
  );
  run('memory', ports.memory !== undefined, async () =>
    (await ports.memory!(team, input.query, per, { handle: caller.handle, lead: isLead(caller) }))
      .filter((hit) => hit.scope !== 'worker' || hit.owner === caller.handle || isLead(caller))
      .map((hit) => ({
        kind: 'memory' as const,
        title: hit.key,
        from: { key: hit.key, scope: hit.scope, owner: hit.owner },
        text: `${hit.key}\n${hit.value}`,
        snippet: highlight(terms, hit.value),
        score: hit.score,
        at: iso(hit.updatedAt),
      })),
  );
  run('summary', ports.summaries !== undefined, async () =>
    (await ports.summaries!(team, input.query, per)).map((hit) => ({
      kind: 'summary' as const,
      title: hit.path,
      from: { path: hit.path },
      text: `${hit.path}\n${hit.summary}`,
      snippet: highlight(terms, hit.summary),
      score: hit.score,
      at: iso(hit.updatedAt),
    })),
  );
  run('mail', ports.mail !== undefined, async () =>
    scan(terms, await ports.mail!(team, caller.handle), (item) => ({
      kind: 'mail',
      title: item.subject ?? `mail from ${item.fromHandle}`,
      from: { mailId: item.id, fromHandle: item.fromHandle },
      text: `${item.subject ?? ''}\n${item.body}`,
      at: iso(item.createdAt),
    })),
  );
  run('task', ports.tasks !== undefined, async () =>
    scan(terms, await ports.tasks!(team), (task) => ({
      kind: 'task',
      title: task.subject,
      from: { taskId: task.id, status: task.status, ownerHandle: task.ownerHandle },
      text: `${task.subject}\n${task.description ?? ''}`,
      at: iso(task.updatedAt),
    })),
  );
  run('handoff', ports.handoffs !== undefined, async () =>
    scan(terms, await ports.handoffs!(team, caller.handle), (handoff) => ({
      kind: 'handoff',
      title: `handoff #${handoff.id} from ${handoff.fromHandle}`,
      from: { handoffId: handoff.id, fromHandle: handoff.fromHandle },
      text: JSON.stringify(handoff.context, null, 1),
      at: iso(handoff.createdAt),
    })),
  );
  const groups = await Promise.all(work);
  const merged: UnifiedHit[] = [];
  for (const group of groups) {
    const best = Math.max(...group.map((hit) => hit.score), Number.MIN_VALUE);
    for (const hit of group) {
      const score = best > 0 ? Math.max(0, hit.score) / best : 0;
      merged.push({
        kind: hit.kind,
        title: hit.title,
        from: hit.from,
        snippet: hit.snippet,
        score: Math.round(score * 1e4) / 1e4,
        at: hit.at,
      });
    }
  }
  merged.sort((a, b) => b.score - a.score || (b.at ?? '').localeCompare(a.at ?? ''));
  const results = merged.slice(0, input.limit);
  return {
    results,
    count: results.length,
    searched,
    skipped: SEARCH_KINDS.filter((kind) => !searched.includes(kind)),
  };
}
