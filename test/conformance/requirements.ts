/**
 * runOnRequirements evaluation (unified-test-format.md, "runOnRequirement"): a list of
 * alternatives of which at least one must hold; within one alternative every field must hold.
 * Pure: the facts about the server are gathered once (server-info.ts) and passed in.
 */
import type { Document } from 'mongodb';

import { deepEqualsLoosely } from './matcher.js';
import type { RunOnRequirement } from './schema.js';
import { describe } from './values.js';

export type Topology = 'single' | 'replicaset' | 'sharded' | 'load-balanced';

export type Version = readonly [number, number, number];

export interface ServerFacts {
  /** buildInfo.versionArray[0..2]. */
  version: Version;
  topology: Topology;
  auth: boolean;
  serverless: boolean;
  /** Whether client-side field-level encryption is available (never, in this runner). */
  csfle: boolean;
  /** Reply of getParameter '*', or undefined when the server refused it. */
  serverParameters: Document | undefined;
  /** Values of parameters.authenticationMechanisms, when known. */
  authMechanisms?: readonly string[];
}

export type Applicability = { applicable: true } | { applicable: false; reason: string };

/** "4.2" -> [4,2,0]; "4.9.0-alpha4-271" -> [4,9,0]. */
export function parseVersion(text: string): Version {
  const parts = text.split('.').map((p) => Number.parseInt(p, 10));
  const at = (i: number): number => {
    const n = parts[i];
    return n === undefined || Number.isNaN(n) ? 0 : n;
  };
  return [at(0), at(1), at(2)];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

export function formatVersion(v: Version): string {
  return v.join('.');
}

/** Why one alternative does not hold, or undefined when it does. */
export function unmetRequirement(req: RunOnRequirement, facts: ServerFacts): string | undefined {
  if (
    req.minServerVersion !== undefined &&
    compareVersions(facts.version, parseVersion(req.minServerVersion)) < 0
  ) {
    return `needs server >= ${req.minServerVersion} (server is ${formatVersion(facts.version)})`;
  }
  if (
    req.maxServerVersion !== undefined &&
    compareVersions(facts.version, parseVersion(req.maxServerVersion)) > 0
  ) {
    return `needs server <= ${req.maxServerVersion} (server is ${formatVersion(facts.version)})`;
  }
  if (req.topologies !== undefined) {
    const ok = req.topologies.some(
      (t) => t === facts.topology || (t === 'sharded-replicaset' && facts.topology === 'sharded'),
    );
    if (!ok) return `needs topology ${req.topologies.join('|')} (server is ${facts.topology})`;
  }
  if (req.serverless === 'require' && !facts.serverless) return 'needs serverless';
  if (req.serverless === 'forbid' && facts.serverless) return 'forbids serverless';
  if (req.auth === true && !facts.auth) return 'needs authentication';
  if (req.auth === false && facts.auth) return 'needs no authentication';
  if (req.authMechanism !== undefined) {
    const known = (facts.authMechanisms ?? []).map((m) => m.toLowerCase());
    if (!facts.auth || !known.includes(req.authMechanism.toLowerCase())) {
      return `needs auth mechanism ${req.authMechanism}`;
    }
  }
  if (req.csfle !== undefined && req.csfle !== false && !facts.csfle) return 'needs client-side encryption';
  if (req.csfle === false && facts.csfle) return 'forbids client-side encryption';
  if (req.serverParameters !== undefined) {
    for (const [name, expected] of Object.entries(req.serverParameters)) {
      const actual: unknown = facts.serverParameters?.[name];
      if (actual === undefined) return `needs server parameter ${name} (not reported by the server)`;
      if (!deepEqualsLoosely(expected, actual)) {
        return `needs server parameter ${name}=${describe(expected)} (server has ${describe(actual)})`;
      }
    }
  }
  return undefined;
}

/** OR over the alternatives; no list at all means "always". */
export function checkRequirements(
  requirements: readonly RunOnRequirement[] | undefined,
  facts: ServerFacts,
): Applicability {
  if (requirements === undefined || requirements.length === 0) return { applicable: true };
  const reasons: string[] = [];
  for (const req of requirements) {
    const reason = unmetRequirement(req, facts);
    if (reason === undefined) return { applicable: true };
    reasons.push(reason);
  }
  return { applicable: false, reason: [...new Set(reasons)].join(' OR ') };
}
