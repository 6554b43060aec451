/**
 * What must never reach a log line, enforced twice: pino's `redact` censors known fields of logged
 * objects (headers, token/password/secret fields), and `scrubLine` runs over every finished line
 * (pino's streamWrite hook) and removes whatever slipped into free text: the JWT secret, anything
 * shaped like a JWT, and `Bearer <credential>`. Request URLs are logged through `safeUrl`.
 */

export const REDACTED = '[REDACTED]';

const SECRET_FIELDS = ['password', 'token', 'secret', 'jwtSecret', 'accessToken', 'refreshToken', 'apiKey'];

/** pino `redact.paths`: the fields themselves and one level down (pino wildcards are one level). */
export const REDACTED_PATHS: string[] = [
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.authorization',
  '*.cookie',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
];

/** A JWT (three base64url parts, header and payload JSON objects: `eyJ...`) anywhere in a text. */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[^\s"\\,]+/gi;
const SENSITIVE_PARAM =
  /(token|password|passwd|secret|api[-_]?key|authorization|^auth$|signature|session|jwt)/i;

/** A function removing the given secrets (e.g. JWT_SECRET) and every JWT from one JSON log line. */
export function lineScrubber(secrets: readonly string[]): (line: string) => string {
  // Secrets appear in a JSON line in their JSON-escaped form.
  const escaped = secrets
    .filter((s) => s.length >= 8)
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    .filter((s, i, all) => all.indexOf(s) === i);
  return (line: string): string => {
    let out = line.replace(JWT, REDACTED).replace(BEARER, `$1${REDACTED}`);
    for (const s of escaped) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };
}

/** Path and query of a request URL, the values of credential-like query parameters censored. */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const rawName = eq < 0 ? part : part.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep the raw name: a malformed escape is still matched as written
      }
      return SENSITIVE_PARAM.test(name) ? `${rawName}=${REDACTED}` : part;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}
