import type * as v from 'valibot';
import type { Access, CallerOf } from '../access.js';
import type { PluginContext } from '../plugin.js';

/** The input schema of an operation: one object, whatever serves it. */
export type InputSchema = v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How an operation is served over HTTP: params, query and body are merged into its one input. */
export interface HttpBinding {
  method: HttpMethod;
  /** Koa path with `:name` params, each of which must be a key of the input. */
  path: string;
  /** Status of a successful answer (default 200); `reply.status()` overrides it per call. */
  status?: number;
  /** The success answer's content type when it is not JSON (`reply.text`), for the OpenAPI document. */
  responseType?: string;
  /**
   * The body is not parsed: the handler gets its bytes and the headers in `request` (a signed
   * webhook checks its signature over the exact bytes). The input then holds path params and query
   * only; any content type is accepted and the fleet's body limit still applies. No tools: MCP has
   * no raw bytes to give.
   */
  raw?: boolean;
}

/** What a raw route's handler receives of the request (`HttpBinding.raw`). */
export interface RawRequest {
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Readonly<Record<string, string>>;
  /** The body exactly as sent (empty when there was none). */
  rawBody: Buffer;
}

/**
 * One MCP tool serving an operation. Its JSON Schema is derived from the operation's input, so
 * the route and the tool cannot drift: same fields, same limits, same messages.
 */
export interface ToolBinding {
  /** The seed's tool name (`team_assign`): ^[A-Za-z0-9._-]{1,128}$. */
  name: string;
  /** Default: the operation's summary. */
  description?: string;
  /** A stricter rule than the operation's, for this tool only. */
  access?: Access;
  /** Tool argument name → input key (`{ agent: 'toHandle' }`). */
  rename?: Readonly<Record<string, string>>;
  /** Input keys the tool does not take (identity and team come from the token). */
  omit?: readonly string[];
  /** Input values the tool always passes (`team_complete` is `update_task` with `status: 'resolved'`). */
  fixed?: Readonly<Record<string, unknown>>;
  /** Input keys optional for the operation that this tool requires. */
  required?: readonly string[];
}

export interface OperationArgs<S extends InputSchema, A extends Access, Api> {
  input: v.InferOutput<S>;
  /** The verified caller: undefined only for `public` (no token) and `admin-or-lead` (the admin key). */
  caller: CallerOf<A>;
  /** What the plugin's setup returned. */
  api: Api;
  // The plugin's options and tables are its own business; `api` is the typed part.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ctx: PluginContext<any, any>;
  /**
   * The request carried the admin key (HTTP only). For `admin-or-lead` that is what an undefined
   * caller means; a `public` operation uses it to tell the operator from an anonymous caller.
   */
  adminKey: boolean;
  /** The request's bytes and headers: only for an operation served with `http.raw`. */
  request?: RawRequest;
}

/**
 * One thing a plugin can do: one input schema, one access rule, one handler that receives the
 * caller's identity. How it is served is data on the same declaration.
 */
export interface OperationSpec<S extends InputSchema, A extends Access, Api> {
  /** Unique within the plugin (`createTask`): the OpenAPI operationId is `<plugin>.<name>`. */
  name: string;
  summary: string;
  input: S;
  access: A;
  run(args: OperationArgs<S, A, Api>): unknown;
  http?: HttpBinding;
  tools?: readonly ToolBinding[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of operations holds any plugin's
export type Operation<Api = any> = OperationSpec<InputSchema, Access, Api>;

/**
 * `const op = operationsFor<TasksApi>()`, then `export const createTask = op({ ... })`: the input,
 * caller and api types flow into `run` without annotations.
 */
export function operationsFor<Api>() {
  return <S extends InputSchema, const A extends Access>(spec: OperationSpec<S, A, Api>): Operation<Api> => spec;
}

const REPLY = Symbol.for('claude-fleet.reply');

/** A result with HTTP specifics: its own status, or a body that is not JSON. Tools get the body (or text). */
export interface Reply {
  readonly [REPLY]: true;
  status?: number;
  body: unknown;
  contentType?: string;
}

export const reply = {
  /** Answer with this status over HTTP (`202` for a queued spawn). */
  status: (status: number, body: unknown): Reply => ({ [REPLY]: true, status, body }),
  /** Answer with text of this content type over HTTP (Prometheus exposition). */
  text: (contentType: string, body: string): Reply => ({ [REPLY]: true, body, contentType }),
};

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REPLY] === true;
}
