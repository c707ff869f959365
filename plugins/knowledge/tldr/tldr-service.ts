import { type Kysely, sql } from 'kysely';
import { ftsMatch, roundScore, searchTerms, tsQuery } from '../memory/search-terms.js';
import { tldrErrors } from './errors.js';
import type { ImportType, TldrEdgesTable, TldrOverviewsTable, TldrSummariesTable, TldrTables } from './tables.js';

export interface FileSummary {
  id: number;
  filePath: string;
  contentHash: string;
  summary: string;
  exports: string[];
  imports: string[];
  dependencies: string[];
  lineCount: number;
  language: string;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface SummaryInput {
  filePath: string;
  contentHash: string;
  summary: string;
  exports?: readonly string[];
  imports?: readonly string[];
  /** When given, the file's outgoing dependency edges become exactly these (import types kept). */
  dependencies?: readonly string[];
  lineCount?: number;
  language?: string;
}

export interface Overview {
  id: number;
  rootPath: string;
  name: string;
  description: string | null;
  structure: Record<string, unknown>;
  keyFiles: string[];
  patterns: string[];
  techStack: string[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface OverviewInput {
  rootPath: string;
  name: string;
  description?: string;
  structure?: Record<string, unknown>;
  keyFiles?: readonly string[];
  patterns?: readonly string[];
  techStack?: readonly string[];
}

export interface Edge {
  fromFile: string;
  toFile: string;
  importType: ImportType;
}

export interface Graph {
  rootFiles: string[] | null;
  depth: number | null;
  nodeCount: number;
  edgeCount: number;
  nodes: string[];
  edges: Edge[];
  /** The graph had more than the limit: nodes or edges were left out. */
  truncated: boolean;
}

export interface TldrHit {
  path: string;
  summary: string;
  updatedAt: string;
  score: number;
}

/** Most nodes a graph walk or an invalidation follows; most edges a full graph returns. */
export const GRAPH_LIMITS = { nodes: 5000, edges: 20_000 } as const;
/** Paths per IN (...) list: far below either engine's limit on parameters. */
const CHUNK = 500;

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
const list = (json: string) => JSON.parse(json) as string[];

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += CHUNK) out.push(items.slice(at, at + CHUNK));
  return out;
}

function toSummary(row: Omit<TldrSummariesTable, 'id'> & { id: number }): FileSummary {
  return {
    id: Number(row.id),
    filePath: row.file_path,
    contentHash: row.content_hash,
    summary: row.summary,
    exports: list(row.exports),
    imports: list(row.imports),
    dependencies: list(row.dependencies),
    lineCount: Number(row.line_count),
    language: row.language,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    updatedBy: row.updated_by,
  };
}

function toOverview(row: Omit<TldrOverviewsTable, 'id'> & { id: number }): Overview {
  return {
    id: Number(row.id),
    rootPath: row.root_path,
    name: row.name,
    description: row.description,
    structure: JSON.parse(row.structure) as Record<string, unknown>,
    keyFiles: list(row.key_files),
    patterns: list(row.patterns),
    techStack: list(row.tech_stack),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    updatedBy: row.updated_by,
  };
}

const toEdge = (row: Pick<TldrEdgesTable, 'from_file' | 'to_file' | 'import_type'>): Edge => ({
  fromFile: row.from_file,
  toFile: row.to_file,
  importType: row.import_type,
});

const SUMMARY_COLUMNS = [
  'id',
  'team_name',
  'file_path',
  'content_hash',
  'summary',
  'exports',
  'imports',
  'dependencies',
  'line_count',
  'language',
  'created_at',
  'updated_at',
  'updated_by',
] as const;

/**
 * The code-summary cache of every team: paths are opaque strings (nothing reads the file system),
 * every call is scoped to the team it names.
 */
export class TldrService {
  readonly #db: Kysely<TldrTables>;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the plugin's guarded handle, typed here
    db: Kysely<any>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {
    this.#db = db as Kysely<TldrTables>;
  }

  async getSummary(teamName: string, filePath: string): Promise<FileSummary | undefined> {
    const row = await this.#db
      .selectFrom('tldr_summaries')
      .select(SUMMARY_COLUMNS)
      .where('team_name', '=', teamName)
      .where('file_path', '=', filePath)
      .executeTakeFirst();
    return row && toSummary(row);
  }

  /** Whether the stored summary was made from content with this hash (false when there is none). */
  async check(teamName: string, filePath: string, contentHash: string) {
    const row = await this.#db
      .selectFrom('tldr_summaries')
      .select('content_hash')
      .where('team_name', '=', teamName)
      .where('file_path', '=', filePath)
      .executeTakeFirst();
    return {
      filePath,
      contentHash,
      isCurrent: row?.content_hash === contentHash,
      storedHash: row?.content_hash ?? null,
    };
  }

  /** Insert or replace a file's summary; with `dependencies`, its outgoing edges follow them. */
  async storeSummary(teamName: string, input: SummaryInput, by: string): Promise<FileSummary> {
    const now = Date.now();
    const values = {
      content_hash: input.contentHash,
      summary: input.summary,
      exports: JSON.stringify(input.exports ?? []),
      imports: JSON.stringify(input.imports ?? []),
      dependencies: JSON.stringify(input.dependencies ?? []),
      line_count: input.lineCount ?? 0,
      language: input.language ?? 'unknown',
      updated_at: now,
      updated_by: by,
    };
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('tldr_summaries')
        .values({ team_name: teamName, file_path: input.filePath, created_at: now, ...values })
        .onConflict((oc) => oc.columns(['team_name', 'file_path']).doUpdateSet(values))
        .returning(SUMMARY_COLUMNS)
        .executeTakeFirstOrThrow();
      if (input.dependencies !== undefined) {
        const targets = [...new Set(input.dependencies)];
        let gone = trx
          .deleteFrom('tldr_edges')
          .where('team_name', '=', teamName)
          .where('from_file', '=', input.filePath);
        if (targets.length > 0) gone = gone.where('to_file', 'not in', targets);
        await gone.execute();
        for (const part of chunks(targets))
          await trx
            .insertInto('tldr_edges')
            .values(
              part.map((to) => ({
                team_name: teamName,
                from_file: input.filePath,
                to_file: to,
                import_type: 'static' as const,
                created_at: now,
              })),
            )
            .onConflict((oc) => oc.columns(['team_name', 'from_file', 'to_file']).doNothing())
            .execute();
      }
      return toSummary(row);
    });
  }

  async batch(teamName: string, filePaths: readonly string[]) {
    const wanted = [...new Set(filePaths)];
    const found = new Map<string, FileSummary>();
    for (const part of chunks(wanted)) {
      const rows = await this.#db
        .selectFrom('tldr_summaries')
        .select(SUMMARY_COLUMNS)
        .where('team_name', '=', teamName)
        .where('file_path', 'in', part)
        .execute();
      for (const row of rows) found.set(row.file_path, toSummary(row));
    }
    const summaries = wanted.flatMap((path) => found.get(path) ?? []);
    const missingPaths = wanted.filter((path) => !found.has(path));
    return { found: summaries.length, missing: missingPaths.length, summaries, missingPaths };
  }

  async getCodebase(teamName: string, rootPath: string): Promise<Overview | undefined> {
    const row = await this.#db
      .selectFrom('tldr_overviews')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('root_path', '=', rootPath)
      .executeTakeFirst();
    return row && toOverview(row);
  }

  async storeCodebase(teamName: string, input: OverviewInput, by: string): Promise<Overview> {
    const now = Date.now();
    const values = {
      name: input.name,
      description: input.description ?? null,
      structure: JSON.stringify(input.structure ?? {}),
      key_files: JSON.stringify(input.keyFiles ?? []),
      patterns: JSON.stringify(input.patterns ?? []),
      tech_stack: JSON.stringify(input.techStack ?? []),
      updated_at: now,
      updated_by: by,
    };
    const row = await this.#db
      .insertInto('tldr_overviews')
      .values({ team_name: teamName, root_path: input.rootPath, created_at: now, ...values })
      .onConflict((oc) => oc.columns(['team_name', 'root_path']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOverview(row);
  }

  /** Insert an edge, or change its import type. */
  async storeEdge(teamName: string, edge: Edge): Promise<Edge> {
    await this.#db
      .insertInto('tldr_edges')
      .values({
        team_name: teamName,
        from_file: edge.fromFile,
        to_file: edge.toFile,
        import_type: edge.importType,
        created_at: Date.now(),
      })
      .onConflict((oc) =>
        oc.columns(['team_name', 'from_file', 'to_file']).doUpdateSet({ import_type: edge.importType }),
      )
      .execute();
    return edge;
  }

  /** Edges into a file (who imports it), or out of it (what it imports). */
  async edges(teamName: string, filePath: string, direction: 'dependents' | 'dependencies'): Promise<Edge[]> {
    const rows = await this.#db
      .selectFrom('tldr_edges')
      .select(['from_file', 'to_file', 'import_type'])
      .where('team_name', '=', teamName)
      .where(direction === 'dependents' ? 'to_file' : 'from_file', '=', filePath)
      .orderBy(direction === 'dependents' ? 'from_file' : 'to_file')
      .execute();
    return rows.map(toEdge);
  }

  /** Edges leaving (or entering) any of these files. */
  async #edgesOf(teamName: string, files: readonly string[], column: 'from_file' | 'to_file'): Promise<Edge[]> {
    const edges: Edge[] = [];
    for (const part of chunks(files)) {
      const rows = await this.#db
        .selectFrom('tldr_edges')
        .select(['from_file', 'to_file', 'import_type'])
        .where('team_name', '=', teamName)
        .where(column, 'in', part)
        .orderBy('from_file')
        .orderBy('to_file')
        .execute();
      edges.push(...rows.map(toEdge));
    }
    return edges;
  }

  /**
   * From the roots along imports for `depth` levels (targets of the last level are listed, not
   * followed), at most GRAPH_LIMITS.nodes nodes; without roots, the team's whole graph (at most
   * GRAPH_LIMITS.edges edges).
   */
  async graph(teamName: string, rootFiles: readonly string[] | undefined, depth: number): Promise<Graph> {
    if (rootFiles === undefined) {
      const rows = await this.#db
        .selectFrom('tldr_edges')
        .select(['from_file', 'to_file', 'import_type'])
        .where('team_name', '=', teamName)
        .orderBy('from_file')
        .orderBy('to_file')
        .limit(GRAPH_LIMITS.edges + 1)
        .execute();
      const edges = rows.slice(0, GRAPH_LIMITS.edges).map(toEdge);
      const nodes = [...new Set(edges.flatMap((e) => [e.fromFile, e.toFile]))].sort();
      const truncated = rows.length > GRAPH_LIMITS.edges;
      return {
        rootFiles: null,
        depth: null,
        nodeCount: nodes.length,
        edgeCount: edges.length,
        nodes,
        edges,
        truncated,
      };
    }
    const roots = [...new Set(rootFiles)];
    const nodes = new Set(roots);
    const edges: Edge[] = [];
    let frontier = roots;
    let truncated = false;
    for (let level = 0; level < depth && frontier.length > 0 && !truncated; level++) {
      const next: string[] = [];
      for (const edge of await this.#edgesOf(teamName, frontier, 'from_file')) {
        if (!nodes.has(edge.toFile)) {
          if (nodes.size >= GRAPH_LIMITS.nodes) {
            truncated = true;
            continue;
          }
          nodes.add(edge.toFile);
          next.push(edge.toFile);
        }
        edges.push(edge);
      }
      frontier = next;
    }
    return {
      rootFiles: roots,
      depth,
      nodeCount: nodes.size,
      edgeCount: edges.length,
      nodes: [...nodes],
      edges,
      truncated,
    };
  }

  /**
   * A file changed: its summary and those of every file that imports it, directly or through
   * others (their summaries may describe what it exported), are removed, with the file's own
   * outgoing edges (a new summary or dependency/store states them again). Edges into it stay:
   * the importers still import it.
   */
  async invalidate(teamName: string, filePath: string) {
    const affected = new Set([filePath]);
    let frontier = [filePath];
    let truncated = false;
    while (frontier.length > 0 && !truncated) {
      const next: string[] = [];
      for (const edge of await this.#edgesOf(teamName, frontier, 'to_file')) {
        if (affected.has(edge.fromFile)) continue;
        if (affected.size >= GRAPH_LIMITS.nodes) {
          truncated = true;
          break;
        }
        affected.add(edge.fromFile);
        next.push(edge.fromFile);
      }
      frontier = next;
    }
    return this.#db.transaction().execute(async (trx) => {
      const removed: string[] = [];
      for (const part of chunks([...affected])) {
        const rows = await trx
          .deleteFrom('tldr_summaries')
          .where('team_name', '=', teamName)
          .where('file_path', 'in', part)
          .returning('file_path')
          .execute();
        removed.push(...rows.map((row) => row.file_path));
      }
      const edges = await trx
        .deleteFrom('tldr_edges')
        .where('team_name', '=', teamName)
        .where('from_file', '=', filePath)
        .executeTakeFirst();
      return {
        success: true,
        filePath,
        dependents: [...affected].filter((path) => path !== filePath),
        summariesRemoved: removed.sort(),
        edgesRemoved: Number(edges.numDeletedRows),
        truncated,
      };
    });
  }

  /** Every summary and edge of the team (overviews stay). */
  async invalidateAll(teamName: string) {
    return this.#db.transaction().execute(async (trx) => {
      const summaries = await trx.deleteFrom('tldr_summaries').where('team_name', '=', teamName).executeTakeFirst();
      const edges = await trx.deleteFrom('tldr_edges').where('team_name', '=', teamName).executeTakeFirst();
      return {
        success: true,
        all: true,
        summariesRemoved: Number(summaries.numDeletedRows),
        edgesRemoved: Number(edges.numDeletedRows),
      };
    });
  }

  /** The seed's DELETE /tldr/cache: every summary, overview and edge of the team. */
  async clear(teamName: string) {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('tldr_summaries').where('team_name', '=', teamName).execute();
      await trx.deleteFrom('tldr_overviews').where('team_name', '=', teamName).execute();
      await trx.deleteFrom('tldr_edges').where('team_name', '=', teamName).execute();
    });
    return { success: true, message: 'TLDR cache cleared' };
  }

  /** The seed's counts: { files, codebases, dependencies }. */
  async stats(teamName: string) {
    const count = async (table: 'tldr_summaries' | 'tldr_overviews' | 'tldr_edges') => {
      const row = await this.#db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('team_name', '=', teamName)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    return {
      files: await count('tldr_summaries'),
      codebases: await count('tldr_overviews'),
      dependencies: await count('tldr_edges'),
    };
  }

  /** The unified search's part: summaries whose path, exports or text match `query`, best first. */
  async searchTeam(teamName: string, query: string, limit: number): Promise<TldrHit[]> {
    const terms = searchTerms(query, () => tldrErrors.KNOWLEDGE_TLDR_EMPTY_QUERY({}, { field: 'query' }));
    type Row = { file_path: string; summary: string; updated_at: number; score: number };
    let rows: Row[];
    if (this.dialect === 'sqlite') {
      const result = await sql<Row>`
        select s.file_path, s.summary, s.updated_at, -bm25(tldr_summaries_fts, 4.0, 1.0, 2.0) as score
        from tldr_summaries_fts join tldr_summaries s on s.id = tldr_summaries_fts.rowid
        where tldr_summaries_fts match ${ftsMatch(terms)} and s.team_name = ${teamName}
        order by bm25(tldr_summaries_fts, 4.0, 1.0, 2.0), s.id
        limit ${limit}`.execute(this.#db);
      rows = result.rows;
    } else {
      const result = await sql<Row>`
        select s.file_path, s.summary, s.updated_at, ts_rank(s.search, q) as score
        from tldr_summaries s, to_tsquery('english', ${tsQuery(terms)}) q
        where s.search @@ q and s.team_name = ${teamName}
        order by score desc, s.id
        limit ${limit}`.execute(this.#db);
      rows = result.rows;
    }
    return rows.map((row) => ({
      path: row.file_path,
      summary: row.summary,
      updatedAt: iso(row.updated_at),
      score: roundScore(row.score),
    }));
  }
}
