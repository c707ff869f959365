import { dataFence } from '../../../core/index.js';
import type { DocumentHit, DocumentQuery } from '../documents/search.js';
import { keywords, type Term } from '../documents/terms.js';

/** What the briefing reads: the worker's task, the team's memory and documents. */
export interface BriefingPorts {
  /** The text the worker works on: its spawn prompt and the tasks it holds. */
  taskText(teamName: string, handle: string): Promise<string>;
  documents(teamName: string, query: DocumentQuery): Promise<{ results: DocumentHit[] }>;
  /** Memory search (every word must match); absent while memory is not available. */
  memory?(
    teamName: string,
    query: string,
    limit: number,
    viewer: { handle: string; lead: boolean },
  ): Promise<{ key: string; value: string; scope: string; owner: string | null; score: number }[]>;
}

interface Fact {
  line: string;
  score: number;
}

/** Memory words searched one at a time (memory search wants every word; a prompt has many). */
const MEMORY_WORDS = 8;
const PER_KIND = 8;

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Memory for the task: hits of each keyword, summed by key; the worker's own and the team's only. */
async function memoryFacts(ports: BriefingPorts, teamName: string, handle: string, terms: readonly Term[]) {
  if (!ports.memory) return [];
  const byKey = new Map<string, { hit: { key: string; value: string; scope: string }; score: number }>();
  for (const term of terms.slice(0, MEMORY_WORDS)) {
    const hits = await ports.memory(teamName, term.word, PER_KIND, { handle, lead: false }).catch(() => []);
    for (const hit of hits) {
      if (hit.scope === 'worker' && hit.owner !== handle) continue;
      const id = `${hit.scope}/${hit.owner}/${hit.key}`;
      const known = byKey.get(id);
      // A memory matching more of the task's words ranks higher: each word adds 1 plus its score's share.
      const add = 1 + Math.min(1, Math.max(0, hit.score) / 100);
      if (known) known.score += add;
      else byKey.set(id, { hit, score: add });
    }
  }
  return [...byKey.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, PER_KIND)
    .map(({ hit, score }): Fact => {
      const where = hit.scope === 'team' ? 'team memory' : 'your memory';
      return { line: `- ${where} "${oneLine(hit.key)}": ${clip(oneLine(hit.value), 400)}`, score };
    });
}

async function documentFacts(ports: BriefingPorts, teamName: string, terms: readonly Term[]): Promise<Fact[]> {
  const { results } = await ports.documents(teamName, { terms, match: 'any', limit: PER_KIND, offset: 0 });
  return results.map((hit) => {
    const where = hit.heading ? `${hit.source} › ${hit.heading}` : hit.source;
    return {
      line: `- document "${oneLine(where)}": ${clip(oneLine(hit.snippet.replace(/<\/?b>/g, '')), 400)}`,
      score: 0,
    };
  });
}

/**
 * The top matches for a worker's task from its team's memory and documents, one line each naming
 * where it came from, memory first (what agents learnt), then documents; as many whole lines as fit
 * in `maxChars` (the whole text, fence included). In a data fence: reference data from the team,
 * not instructions. `text`: what to match (default: the worker's prompt and the tasks it holds).
 * Undefined when the task has no searchable words or nothing matches.
 */
export async function knowledgeBriefing(
  ports: BriefingPorts,
  teamName: string,
  handle: string,
  maxChars: number,
  text?: string,
): Promise<string | undefined> {
  if (maxChars <= 0) return undefined;
  const terms = keywords(text ?? (await ports.taskText(teamName, handle)));
  if (terms.length === 0) return undefined;
  const [memory, documents] = await Promise.all([
    memoryFacts(ports, teamName, handle, terms),
    documentFacts(ports, teamName, terms),
  ]);
  const facts = [...memory, ...documents];
  if (facts.length === 0) return undefined;
  const intro =
    'What your team already knows that matches your task (memory and documents; memory_search and ' +
    'knowledge_search find more):';
  const render = (lines: readonly string[]) =>
    `${intro}\n${dataFence({ kind: 'reference data', from: `team ${teamName}'s knowledge` }, lines.join('\n'))}`;
  const lines: string[] = [];
  for (const fact of facts) {
    if (render([...lines, fact.line]).length > maxChars) continue;
    lines.push(fact.line);
  }
  return lines.length > 0 ? render(lines) : undefined;
}
