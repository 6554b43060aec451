/**
 * The set of projections of this process. Read-model modules register theirs at module init
 * (`onModuleInit() { this.registry.register(new OrdersReadProjection()) }`); the runtime starts
 * feeding them once the application has bootstrapped. Names are unique.
 */
import { Injectable } from '@nestjs/common';
import type { CacheInvalidator, Projection } from './projection.js';

@Injectable()
export class ProjectionRegistry {
  private readonly byName = new Map<string, Projection>();
  private invalidator: CacheInvalidator | undefined;
  private readonly listeners: ((p: Projection) => void)[] = [];

  register(...projections: Projection[]): void {
    for (const p of projections) {
      const existing = this.byName.get(p.name);
      if (existing && existing !== p) throw new Error(`projection ${p.name} registered twice`);
      if (existing) continue;
      this.byName.set(p.name, p);
      for (const l of this.listeners) l(p);
    }
  }

  get(name: string): Projection | undefined {
    return this.byName.get(name);
  }

  all(): Projection[] {
    return [...this.byName.values()];
  }

  /** Projections that consume this event type. */
  handling(type: string): Projection[] {
    return this.all().filter((p) => p.handles.includes(type));
  }

  /** Runs for every projection registered from now on (the runtime starts late registrations). */
  onRegister(listener: (p: Projection) => void): void {
    this.listeners.push(listener);
  }

  /** Plug the query-side cache in: projections' `ctx.invalidate(keys)` ends up here. */
  setInvalidator(invalidator: CacheInvalidator | undefined): void {
    this.invalidator = invalidator;
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length > 0 && this.invalidator) await this.invalidator(keys);
  }
}
