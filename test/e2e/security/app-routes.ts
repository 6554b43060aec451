/**
 * The routes the running app serves, read from Nest's routing metadata (every controller of every
 * module), with their access rule: public, admin-only, customer-only or any authenticated caller.
 * Paths are in OpenAPI form (`/api/orders/{id}`) so they compare with /docs-json directly.
 */
import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, ROLES } from '../../../src/shared/auth/auth.decorators.js';
import type { Role } from '../../../src/shared/auth/jwt.js';

export interface AppRoute {
  /** Lower-case HTTP method, as in OpenAPI. */
  method: string;
  path: string;
  isPublic: boolean;
  /** Roles allowed by @Roles (method over class); undefined = any authenticated caller. */
  roles: Role[] | undefined;
}

export const routeKey = (r: { method: string; path: string }): string =>
  `${r.method.toUpperCase()} ${r.path}`;

const joinPath = (...parts: string[]): string =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s.length > 0)
    .map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s))
    .join('/');

export function appRoutes(app: INestApplication): AppRoute[] {
  const routes: AppRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!ctrl) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, ctrl) as string | undefined) ?? '';
      const proto = ctrl.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = (Reflect.getMetadata(PATH_METADATA, handler) as string | undefined) ?? '';
        const meta = <T>(key: string): T | undefined =>
          (Reflect.getMetadata(key, handler) as T | undefined) ??
          (Reflect.getMetadata(key, ctrl) as T | undefined);
        routes.push({
          method: RequestMethod[method].toLowerCase(),
          path: joinPath(base, path),
          isPublic: meta<boolean>(IS_PUBLIC) === true,
          roles: meta<Role[]>(ROLES),
        });
      }
    }
  }
  return routes.sort((a, b) => routeKey(a).localeCompare(routeKey(b)));
}

/** Replaces `{param}` placeholders; throws on a placeholder without a value (a new route shape). */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(v);
  });
}
