/**
 * A query answer serialized once, when it is loaded, and cached as text: a cache hit then writes a
 * string, with no object walk, no class-transformer and no JSON.stringify per request.
 *
 * `etag` is the entity tag Express itself would compute for the same text (a weak tag of its byte
 * length and SHA-1, as the `etag` package does), so an answer has the same ETag whichever path
 * served it; the controllers send the text through Express, which computes and checks it itself.
 */
import { createHash } from 'node:crypto';
import type { Response } from 'express';

export interface JsonAnswer {
  /** The response body. */
  readonly json: string;
  /** Weak entity tag of `json`, as Express computes it. */
  readonly etag: string;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function weakEtag(text: string): string {
  const length = Buffer.byteLength(text, 'utf8');
  if (length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = createHash('sha1').update(text, 'utf8').digest('base64').substring(0, 27);
  return `W/"${length.toString(16)}-${hash}"`;
}

export function jsonAnswer(value: unknown): JsonAnswer {
  const json = JSON.stringify(value);
  return { json, etag: weakEtag(json) };
}

/**
 * For a controller returning `answer.json`: marks the response as JSON, so that Nest's reply (which
 * sends a string as is) answers `application/json` like an object body.
 */
export function sendsJson(res: Response): void {
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
}
