/**
 * GET routes whose answers can be served straight from the query cache, before the HTTP framework
 * (src/shared/http/fast-lane.ts). A query controller registers its route here at module init with a
 * function that answers only from the cache: it never loads, and returns `undefined` whenever the
 * full route has something to decide (not cached, not allowed, not found). Whatever it declines is
 * served by the application as if the lane did not exist, so the lane can only answer a request
 * exactly as the route would, from the same cache entry.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/jwt.js';
import type { JsonAnswer } from '../http/json-answer.js';

export interface CachedRoute {
  /** Matches the whole request path (no query string); capture group 1 is the route's parameter. */
  readonly path: RegExp;
  /**
   * The cached answer for this parameter and authenticated caller, or `undefined`: the request then
   * goes through the application (guards, validation, handler, errors).
   */
  answer(param: string, viewer: Principal): Promise<JsonAnswer | undefined>;
}

@Injectable()
export class CachedRoutes {
  private readonly routes: CachedRoute[] = [];

  register(route: CachedRoute): void {
    this.routes.push(route);
  }

  /** The route and parameter of `path`, if a registered route matches it. */
  match(path: string): { route: CachedRoute; param: string } | undefined {
    for (const route of this.routes) {
      const m = route.path.exec(path);
      if (m && m[1] !== undefined) return { route, param: m[1] };
    }
    return undefined;
  }

  get size(): number {
    return this.routes.length;
  }
}
