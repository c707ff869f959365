import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AgentRole } from '../auth/identity.js';
import { authStateOf, requireIdentity } from './auth-state.js';
import { insufficientPermissions } from './http-error.js';
import type { Access, RouteHandler, RouteRecord, RouteSpec } from './route-types.js';
import { type AnySchema, validateOrThrow } from './validate.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The router a plugin receives. Each route declares who may call it and the valibot schemas of its
 * body, params and query; the router checks all of them before the handler runs, and the same
 * declarations generate /openapi.json.
 */
export class PluginRouter {
  readonly plugin: string;
  readonly records: RouteRecord[] = [];
  readonly #router = new Router();

  constructor(plugin: string) {
    this.plugin = plugin;
  }

  get<P extends AnySchema | undefined = undefined, Q extends AnySchema | undefined = undefined, A extends Access | undefined = undefined>(
    path: string,
    spec: RouteSpec<undefined, P, Q> & { auth?: A },
    handler: RouteHandler<undefined, P, Q, A>,
  ): this {
    return this.#add('get', path, spec, handler);
  }

  post<B extends AnySchema | undefined = undefined, P extends AnySchema | undefined = undefined, Q extends AnySchema | undefined = undefined, A extends Access | undefined = undefined>(
    path: string,
    spec: RouteSpec<B, P, Q> & { auth?: A },
    handler: RouteHandler<B, P, Q, A>,
  ): this {
    return this.#add('post', path, spec, handler);
  }

  put<B extends AnySchema | undefined = undefined, P extends AnySchema | undefined = undefined, Q extends AnySchema | undefined = undefined, A extends Access | undefined = undefined>(
    path: string,
    spec: RouteSpec<B, P, Q> & { auth?: A },
    handler: RouteHandler<B, P, Q, A>,
  ): this {
    return this.#add('put', path, spec, handler);
  }

  patch<B extends AnySchema | undefined = undefined, P extends AnySchema | undefined = undefined, Q extends AnySchema | undefined = undefined, A extends Access | undefined = undefined>(
    path: string,
    spec: RouteSpec<B, P, Q> & { auth?: A },
    handler: RouteHandler<B, P, Q, A>,
  ): this {
    return this.#add('patch', path, spec, handler);
  }

  delete<B extends AnySchema | undefined = undefined, P extends AnySchema | undefined = undefined, Q extends AnySchema | undefined = undefined, A extends Access | undefined = undefined>(
    path: string,
    spec: RouteSpec<B, P, Q> & { auth?: A },
    handler: RouteHandler<B, P, Q, A>,
  ): this {
    return this.#add('delete', path, spec, handler);
  }

  /** The Koa middleware serving these routes; it passes to `next` when no route matches. */
  middleware(): Middleware {
    return this.#router.routes() as unknown as Middleware;
  }

  #add(method: Method, path: string, spec: RouteSpec<any, any, any>, handler: RouteHandler<any, any, any, any>): this {
    this.records.push({ plugin: this.plugin, method: method.toUpperCase(), path, spec });
    const access: Access = spec.auth ?? 'agent';
    const roles = spec.roles;
    const run = async (ctx: Context): Promise<void> => {
      const state = authStateOf(ctx);
      const identity = access === 'public' ? (state.kind === 'agent' ? state.identity : undefined) : requireIdentity(state);
      if (identity && access === 'lead' && identity.agentType !== 'team-lead') {
        throw insufficientPermissions('team-lead', identity.agentType);
      }
      if (identity && roles && !roles.includes(identity.role as AgentRole)) throw insufficientPermissions(roles, identity.role);
      const input = {
        identity,
        params: spec.params ? validateOrThrow(spec.params, ctx.params, 'params') : undefined,
        query: spec.query ? validateOrThrow(spec.query, { ...ctx.query }, 'query') : undefined,
        body: spec.body ? validateOrThrow(spec.body, (ctx.request as { body?: unknown }).body ?? {}, 'body') : undefined,
      };
      const result = await handler(input as never, ctx);
      if (result !== undefined) ctx.body = result;
      if (spec.status && ctx.status === 200) ctx.status = spec.status;
    };
    this.#router[method](path, run as never);
    return this;
  }
}
