import type { Context } from 'koa';
import type * as v from 'valibot';
import type { AgentRole, Identity } from '../auth/identity.js';
import type { AnySchema } from './validate.js';

/** Who may call a route: anyone, any registered agent of any role, or a team lead. */
export type Access = 'public' | 'agent' | 'lead';

export interface RouteSpec<B extends AnySchema | undefined, P extends AnySchema | undefined, Q extends AnySchema | undefined> {
  summary: string;
  /** Default 'agent'. */
  auth?: Access;
  /** When set, the caller's role must be one of these (403 Insufficient permissions otherwise). */
  roles?: readonly AgentRole[];
  body?: B;
  params?: P;
  query?: Q;
  /** Status of a successful answer, for the OpenAPI document. Default 200. */
  status?: number;
}

type Out<S> = S extends AnySchema ? v.InferOutput<S> : undefined;

export interface RouteInput<B, P, Q, A extends Access | undefined> {
  body: Out<B>;
  params: Out<P>;
  query: Out<Q>;
  /** The verified caller; absent only on public routes. */
  identity: A extends 'public' ? Identity | undefined : Identity;
}

/** A handler returns the response body (or sets ctx.body itself and returns undefined). */
export type RouteHandler<B, P, Q, A extends Access | undefined> = (
  input: RouteInput<B, P, Q, A>,
  ctx: Context,
) => unknown | Promise<unknown>;

export interface RouteRecord {
  plugin: string;
  method: string;
  path: string;
  spec: RouteSpec<AnySchema | undefined, AnySchema | undefined, AnySchema | undefined>;
}
