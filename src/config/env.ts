/**
 * Typed, validated environment. Bad configuration stops the process at start-up with one clear
 * message per problem (exit code 1), never a stack trace halfway through a request.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { totalmem } from 'node:os';
import { Dec } from '../shared/money/money.js';

/** Signature algorithms a token may use: RS256/ES256 with a JWKS or public key, HS256 only with JWT_SECRET. */
export type JwtAlgorithm = 'RS256' | 'ES256' | 'HS256';

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  /** Write model; undefined = start the embedded server. */
  mongodbUri?: string;
  /** Read models; undefined = the write server, database `app_read`. */
  mongodbReadUri?: string;
  writeDbName: string;
  readDbName: string;
  /** Data directory of the embedded server. */
  embeddedDbPath: string;
  /** Run the embedded server on its own thread (a second core); false = in the service's loop. */
  embeddedThread: boolean;
  /**
   * Heap limit of the embedded server's thread (MiB). It holds every document in memory, so the
   * process default (4 GiB here) ran out at ~100k orders with a rebuild's shadow copy beside them.
   */
  embeddedHeapMb: number;
  redisUrl?: string;
  /**
   * How bearer tokens are verified: keys of an identity provider (JWT_JWKS_URL), one PEM public key
   * (JWT_PUBLIC_KEY), or an HS256 shared secret (JWT_SECRET, development).
   */
  jwtMode: 'jwks' | 'public-key' | 'hs256';
  /** HS256 secret; undefined in hs256 mode outside production means "generate one and keep it in .data/". */
  jwtSecret?: string;
  /** The identity provider's JWKS (jwks mode). */
  jwtJwksUrl?: string;
  /** PEM public key (public-key mode). */
  jwtPublicKey?: string;
  /** PEM private key: `npm run token` signs with it instead of the HS256 secret (never used to verify). */
  jwtPrivateKey?: string;
  /** Required `iss` of every token, when set. */
  jwtIssuer?: string;
  /** A token's `aud` must name one of these, when set. */
  jwtAudience?: string[];
  /** Accepted `alg` values: ['HS256'] in hs256 mode, else a subset of RS256 and ES256. */
  jwtAlgorithms: JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`, seconds. */
  jwtClockToleranceSeconds: number;
  /** Claim (or dotted path, e.g. realm_access.roles) holding the caller's roles. */
  jwtRolesClaim: string;
  /** Claim (or dotted path) holding a customer's id. */
  jwtCustomerIdClaim: string;
  /** Least time between two fetches of the JWKS (an unknown `kid` refetches at most this often). */
  jwtJwksCooldownSeconds: number;
  /** Age after which the JWKS is refetched in the background (the old keys keep verifying meanwhile). */
  jwtJwksCacheMaxAgeSeconds: number;
  jwtTtlSeconds: number;
  /** Tax rate as an exact decimal string, e.g. "0.08". */
  taxRate: string;
  /** Flat shipping fee per order, exact decimal string, e.g. "5.99". */
  shippingFee: string;
  currency: string;
  /** Seed demo data into an empty database at start-up. */
  seedOnStart: boolean;
  seedValue: number;
  idempotencyTtlSeconds: number;
  /** How long a repeated request waits for the first one with its Idempotency-Key to finish. */
  idempotencyWaitMs: number;
  /** How long a request holds its Idempotency-Key without renewing it; past it, a repeat takes it over. */
  idempotencyLeaseMs: number;
  /** How long a command's transaction may keep retrying write conflicts before 503 (ms). */
  transactionTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  bodyLimit: string;
  /** Product views are buffered in memory and flushed at least this often (ms). */
  viewFlushIntervalMs: number;
  /** ... or as soon as this many views are buffered. */
  viewFlushBatchSize: number;
  /** How long a query with an X-Consistency-Token waits for the read model to reach it (ms). */
  readYourWritesTimeoutMs: number;
  /** Projection lag (commit → application, ms) above which /health is 503 and the lag monitor warns. */
  projectionLagThresholdMs: number;
  /**
   * Where the lag monitor POSTs its alerts (firing and resolved; a Slack incoming webhook or any
   * JSON endpoint); undefined = log only. A secret (Slack's path is the credential): never logged.
   */
  alertWebhookUrl?: string;
  /** Commands (POST/PUT/PATCH/DELETE) one principal may send per window; 0 = no limit. */
  rateLimitCommands: number;
  /** The rate limit's (sliding) window, ms. */
  rateLimitWindowMs: number;
  /** Load shedding: commands running at once in this instance. */
  commandConcurrency: number;
  /** Load shedding: commands waiting for a slot; past it, 503 at once. */
  commandQueueLimit: number;
  /** Load shedding: how long a command may wait to start (slot + product locks) before 503 (ms). */
  commandQueueTimeoutMs: number;
  /** Load shedding: commands waiting for one product's lock; past it, 503 at once. */
  productQueueLimit: number;
  /** Run the projections' resync streams in this process (false: fast path only). */
  projectionResync: boolean;
  /** Most events applied in one projection batch (fast path, resync path). */
  projectionBatchSize: number;
  /** Events per batch of a rebuild or verify replay. */
  projectionReplayBatchSize: number;
  /** Fast path: how often an event that came before its aggregate's earlier one is offered again. */
  projectionDeferRetries: number;
  /** Fast path: the n-th new offer of a deferred event comes after n x this (ms). */
  projectionDeferDelayMs: number;
  /** Tries per projection batch (then per event of a failing batch) before a dead letter. */
  projectionRetryAttempts: number;
  /** First backoff between projection tries (ms), doubling up to projectionRetryMaxMs. */
  projectionRetryBaseMs: number;
  projectionRetryMaxMs: number;
  /** Lifetime of a resync lease (ms): a dead holder is replaced after about this long. */
  projectionLeaseTtlMs: number;
  /** How often a lease is renewed (ms); below projectionLeaseTtlMs. */
  projectionHeartbeatMs: number;
  /** How far before the checkpoint a catch-up scan of domain_events starts (ms). */
  projectionScanOverlapMs: number;
  /** Lease holder id of this process; undefined = host:pid:random. */
  projectionInstanceId?: string;
  /** Shutdown: how long in-flight requests (and the demo data's commands) may take to finish (ms). */
  shutdownGraceMs: number;
  /** Shutdown: this long (ms) after the signal the process exits with code 1, whatever is left. */
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The problems `loadConfig(env)` would refuse the environment for, one line each ([] = valid). */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

function decimalSetting(problems: string[], name: string, value: string, min: string, max: string): string {
  if (!/^\d+(\.\d+)?$/.test(value)) {
    problems.push(`${name} must be a decimal number like ${min === '0' ? '0.08' : min}, got '${value}'`);
    return value;
  }
  const d = new Dec(value);
  if (d.lt(min) || d.gt(max)) problems.push(`${name} must be between ${min} and ${max}, got '${value}'`);
  return value;
}

/** Half the machine's memory, at least 4 GiB (Node's usual default on a 64-bit machine). */
export function defaultEmbeddedHeapMb(): number {
  return Math.max(4096, Math.floor(totalmem() / 1024 / 1024 / 2));
}

function intSetting(
  problems: string[],
  name: string,
  value: string | undefined,
  def: number,
  min: number,
  max: number,
): number {
  const text = value ?? String(def);
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    problems.push(`${name} must be an integer between ${min} and ${max}, got '${text}'`);
  return n;
}

function boolSetting(problems: string[], name: string, value: string | undefined, def: boolean): boolean {
  if (value === undefined || value === '') return def;
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
  problems.push(`${name} must be true or false, got '${value}'`);
  return def;
}

/** No problem was reported for any of `names` (a relation between settings is checked only then). */
function validSettings(problems: readonly string[], ...names: string[]): boolean {
  return !problems.some((p) => names.some((n) => p.startsWith(`${n} `)));
}

const MONGO_URI = /^mongodb(\+srv)?:\/\//;

/** The protocol of `text` ('https:'), or undefined when it is not a URL. */
function urlProtocol(text: string): string | undefined {
  try {
    return new URL(text).protocol;
  } catch {
    return undefined;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const nodeEnv = (env.NODE_ENV ?? 'development') as AppConfig['nodeEnv'];
  if (!['development', 'production', 'test'].includes(nodeEnv))
    problems.push(`NODE_ENV must be development, production or test`);
  const port = intSetting(problems, 'PORT', env.PORT, 3000, 0, 65535);
  const uri = env.MONGODB_URI?.trim() || undefined;
  if (uri && !MONGO_URI.test(uri)) problems.push('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  const readUri = env.MONGODB_READ_URI?.trim() || undefined;
  if (readUri && !MONGO_URI.test(readUri))
    problems.push('MONGODB_READ_URI must start with mongodb:// or mongodb+srv://');
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    problems.push('REDIS_URL must start with redis:// or rediss://');
  const jwt = jwtSettings(problems, env, nodeEnv);
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    problems.push('LOG_LEVEL must be one of debug, info, warn, error');
  const currency = env.CURRENCY ?? 'USD';
  if (!/^[A-Z]{3}$/.test(currency))
    problems.push(`CURRENCY must be a 3-letter ISO 4217 code, got '${currency}'`);
  const alertWebhookUrl = env.ALERT_WEBHOOK_URL?.trim() || undefined;
  // The value is not echoed: a webhook URL carries its credential.
  if (alertWebhookUrl && !/^https?:$/.test(urlProtocol(alertWebhookUrl) ?? ''))
    problems.push('ALERT_WEBHOOK_URL must be an http(s) URL');
  const bodyLimit = env.BODY_LIMIT ?? '100kb';
  if (!/^\d+(kb|mb|b)$/i.test(bodyLimit))
    problems.push(`BODY_LIMIT must look like 100kb or 1mb, got '${bodyLimit}'`);
  const config: AppConfig = {
    nodeEnv,
    port,
    mongodbUri: uri,
    mongodbReadUri: readUri,
    writeDbName: env.MONGODB_DB ?? 'app',
    readDbName: env.MONGODB_READ_DB ?? 'app_read',
    embeddedDbPath: env.EMBEDDED_MONGO_DBPATH ?? './.data/mongo',
    embeddedThread: boolSetting(problems, 'EMBEDDED_MONGO_THREAD', env.EMBEDDED_MONGO_THREAD, true),
    embeddedHeapMb: intSetting(
      problems,
      'EMBEDDED_MONGO_HEAP_MB',
      env.EMBEDDED_MONGO_HEAP_MB,
      defaultEmbeddedHeapMb(),
      256,
      1024 * 1024,
    ),
    redisUrl,
    ...jwt,
    jwtTtlSeconds: intSetting(problems, 'JWT_TTL_SECONDS', env.JWT_TTL_SECONDS, 3600, 60, 30 * 24 * 3600),
    taxRate: decimalSetting(problems, 'TAX_RATE', env.TAX_RATE ?? '0.08', '0', '1'),
    shippingFee: decimalSetting(problems, 'SHIPPING_FEE', env.SHIPPING_FEE ?? '5.99', '0', '1000'),
    currency,
    seedOnStart: boolSetting(problems, 'SEED_ON_START', env.SEED_ON_START, true),
    seedValue: intSetting(problems, 'SEED', env.SEED, 42, 0, 2 ** 31 - 1),
    idempotencyTtlSeconds: intSetting(
      problems,
      'IDEMPOTENCY_TTL_SECONDS',
      env.IDEMPOTENCY_TTL_SECONDS,
      86400,
      60,
      30 * 86400,
    ),
    idempotencyWaitMs: intSetting(
      problems,
      'IDEMPOTENCY_WAIT_MS',
      env.IDEMPOTENCY_WAIT_MS,
      30_000,
      100,
      300_000,
    ),
    idempotencyLeaseMs: intSetting(
      problems,
      'IDEMPOTENCY_LEASE_MS',
      env.IDEMPOTENCY_LEASE_MS,
      15_000,
      1_000,
      300_000,
    ),
    transactionTimeoutMs: intSetting(
      problems,
      'TRANSACTION_TIMEOUT_MS',
      env.TRANSACTION_TIMEOUT_MS,
      10_000,
      100,
      120_000,
    ),
    logLevel,
    bodyLimit,
    viewFlushIntervalMs: intSetting(
      problems,
      'VIEW_FLUSH_INTERVAL_MS',
      env.VIEW_FLUSH_INTERVAL_MS,
      1000,
      10,
      60_000,
    ),
    viewFlushBatchSize: intSetting(
      problems,
      'VIEW_FLUSH_BATCH_SIZE',
      env.VIEW_FLUSH_BATCH_SIZE,
      500,
      1,
      100_000,
    ),
    readYourWritesTimeoutMs: intSetting(
      problems,
      'READ_YOUR_WRITES_TIMEOUT_MS',
      env.READ_YOUR_WRITES_TIMEOUT_MS,
      2000,
      0,
      60_000,
    ),
    projectionLagThresholdMs: intSetting(
      problems,
      'PROJECTION_LAG_THRESHOLD_MS',
      env.PROJECTION_LAG_THRESHOLD_MS,
      10_000,
      0,
      3_600_000,
    ),
    alertWebhookUrl,
    rateLimitCommands: intSetting(
      problems,
      'RATE_LIMIT_COMMANDS',
      env.RATE_LIMIT_COMMANDS || undefined, // empty = default, never 'off'
      300,
      0,
      1_000_000,
    ),
    rateLimitWindowMs: intSetting(
      problems,
      'RATE_LIMIT_WINDOW_MS',
      env.RATE_LIMIT_WINDOW_MS || undefined,
      60_000,
      100,
      86_400_000,
    ),
    commandConcurrency: intSetting(problems, 'COMMAND_CONCURRENCY', env.COMMAND_CONCURRENCY, 64, 1, 100_000),
    commandQueueLimit: intSetting(
      problems,
      'COMMAND_QUEUE_LIMIT',
      env.COMMAND_QUEUE_LIMIT,
      256,
      0,
      1_000_000,
    ),
    commandQueueTimeoutMs: intSetting(
      problems,
      'COMMAND_QUEUE_TIMEOUT_MS',
      env.COMMAND_QUEUE_TIMEOUT_MS,
      500,
      1,
      600_000,
    ),
    productQueueLimit: intSetting(problems, 'PRODUCT_QUEUE_LIMIT', env.PRODUCT_QUEUE_LIMIT, 64, 0, 1_000_000),
    ...projectionSettings(problems, env),
    ...shutdownSettings(problems, env),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

type ProjectionSettings = Pick<
  AppConfig,
  | 'projectionResync'
  | 'projectionBatchSize'
  | 'projectionReplayBatchSize'
  | 'projectionDeferRetries'
  | 'projectionDeferDelayMs'
  | 'projectionRetryAttempts'
  | 'projectionRetryBaseMs'
  | 'projectionRetryMaxMs'
  | 'projectionLeaseTtlMs'
  | 'projectionHeartbeatMs'
  | 'projectionScanOverlapMs'
  | 'projectionInstanceId'
>;

/** The projection runtime's settings (PROJECTION_*; README "Projections runtime"). */
function projectionSettings(problems: string[], env: NodeJS.ProcessEnv): ProjectionSettings {
  const int = (name: string, def: number, min: number, max: number): number =>
    intSetting(problems, name, env[name] || undefined, def, min, max);
  const settings: ProjectionSettings = {
    projectionResync: boolSetting(problems, 'PROJECTION_RESYNC', env.PROJECTION_RESYNC, true),
    projectionBatchSize: int('PROJECTION_BATCH_SIZE', 1_000, 1, 100_000),
    projectionReplayBatchSize: int('PROJECTION_REPLAY_BATCH_SIZE', 5_000, 1, 100_000),
    projectionDeferRetries: int('PROJECTION_DEFER_RETRIES', 5, 0, 100),
    projectionDeferDelayMs: int('PROJECTION_DEFER_DELAY_MS', 200, 0, 60_000),
    projectionRetryAttempts: int('PROJECTION_RETRY_ATTEMPTS', 5, 1, 100),
    projectionRetryBaseMs: int('PROJECTION_RETRY_BASE_MS', 100, 0, 60_000),
    projectionRetryMaxMs: int('PROJECTION_RETRY_MAX_MS', 5_000, 0, 600_000),
    projectionLeaseTtlMs: int('PROJECTION_LEASE_TTL_MS', 10_000, 100, 3_600_000),
    projectionHeartbeatMs: int('PROJECTION_HEARTBEAT_MS', 3_000, 50, 3_600_000),
    projectionScanOverlapMs: int('PROJECTION_SCAN_OVERLAP_MS', 300_000, 0, 86_400_000),
    projectionInstanceId: env.PROJECTION_INSTANCE_ID?.trim() || undefined,
  };
  if (validSettings(problems, 'PROJECTION_RETRY_BASE_MS', 'PROJECTION_RETRY_MAX_MS'))
    if (settings.projectionRetryMaxMs < settings.projectionRetryBaseMs)
      problems.push(
        `PROJECTION_RETRY_MAX_MS must be at least PROJECTION_RETRY_BASE_MS (${settings.projectionRetryBaseMs}), got '${settings.projectionRetryMaxMs}'`,
      );
  if (validSettings(problems, 'PROJECTION_LEASE_TTL_MS', 'PROJECTION_HEARTBEAT_MS'))
    if (settings.projectionHeartbeatMs >= settings.projectionLeaseTtlMs)
      problems.push(
        `PROJECTION_HEARTBEAT_MS must be less than PROJECTION_LEASE_TTL_MS (${settings.projectionLeaseTtlMs}), got '${settings.projectionHeartbeatMs}'`,
      );
  const id = settings.projectionInstanceId;
  if (id !== undefined && !/^[\x21-\x7e]{1,200}$/.test(id))
    problems.push(
      `PROJECTION_INSTANCE_ID must be 1 to 200 printable ASCII characters without spaces, got '${id}'`,
    );
  return settings;
}

/** Shutdown on SIGTERM/SIGINT (README "Shutdown"). */
function shutdownSettings(
  problems: string[],
  env: NodeJS.ProcessEnv,
): Pick<AppConfig, 'shutdownGraceMs' | 'shutdownTimeoutMs'> {
  const int = (name: string, def: number, min: number, max: number): number =>
    intSetting(problems, name, env[name] || undefined, def, min, max);
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 5_000, 0, 600_000);
  const shutdownTimeoutMs = int('SHUTDOWN_TIMEOUT_MS', 10_000, 1_000, 600_000);
  if (
    validSettings(problems, 'SHUTDOWN_GRACE_MS', 'SHUTDOWN_TIMEOUT_MS') &&
    shutdownGraceMs >= shutdownTimeoutMs
  )
    problems.push(
      `SHUTDOWN_GRACE_MS must be less than SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}), got '${shutdownGraceMs}'`,
    );
  return { shutdownGraceMs, shutdownTimeoutMs };
}

type JwtSettings = Pick<
  AppConfig,
  | 'jwtMode'
  | 'jwtSecret'
  | 'jwtJwksUrl'
  | 'jwtPublicKey'
  | 'jwtPrivateKey'
  | 'jwtIssuer'
  | 'jwtAudience'
  | 'jwtAlgorithms'
  | 'jwtClockToleranceSeconds'
  | 'jwtRolesClaim'
  | 'jwtCustomerIdClaim'
  | 'jwtJwksCooldownSeconds'
  | 'jwtJwksCacheMaxAgeSeconds'
>;

const ASYMMETRIC: readonly JwtAlgorithm[] = ['RS256', 'ES256'];
/** A claim name or a dotted path of claim names (Auth0's namespaced URLs are claim names too). */
const CLAIM_PATH = /^[\w:/-]+(\.[\w:/-]+)*$/;

/** PEM text from the environment: `\n` escapes (one-line .env values) become newlines. */
const pem = (value: string | undefined): string | undefined =>
  value?.trim() ? value.trim().replace(/\\n/g, '\n') : undefined;

/** The algorithm a PEM key signs with: RS256 for RSA, ES256 for EC P-256; undefined otherwise. */
export function algorithmOfKey(key: KeyObject): JwtAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

function parseKey(
  problems: string[],
  name: string,
  text: string | undefined,
  parse: (pem: string) => KeyObject,
): JwtAlgorithm | undefined {
  if (!text) return undefined;
  let key: KeyObject;
  try {
    key = parse(text);
  } catch {
    problems.push(`${name} must be a PEM ${name.endsWith('PRIVATE_KEY') ? 'private' : 'public'} key`);
    return undefined;
  }
  const alg = algorithmOfKey(key);
  if (!alg) problems.push(`${name} must be an RSA key (RS256) or an EC P-256 key (ES256)`);
  return alg;
}

/**
 * The JWT settings (one problem per line). Exactly one verification mode: JWT_JWKS_URL,
 * JWT_PUBLIC_KEY or JWT_SECRET. Production refuses HS256 unless JWT_ALLOW_HS256=true, and requires
 * JWT_ISSUER and JWT_AUDIENCE with a JWKS or a public key.
 */
function jwtSettings(problems: string[], env: NodeJS.ProcessEnv, nodeEnv: string): JwtSettings {
  const production = nodeEnv === 'production';
  const jwtSecret = env.JWT_SECRET?.trim() || undefined;
  const jwtJwksUrl = env.JWT_JWKS_URL?.trim() || undefined;
  const jwtPublicKey = pem(env.JWT_PUBLIC_KEY);
  const jwtPrivateKey = pem(env.JWT_PRIVATE_KEY);
  const allowHs256 = boolSetting(problems, 'JWT_ALLOW_HS256', env.JWT_ALLOW_HS256, false);
  const modes = [jwtJwksUrl && 'JWT_JWKS_URL', jwtPublicKey && 'JWT_PUBLIC_KEY', jwtSecret && 'JWT_SECRET'];
  const set = modes.filter((m): m is string => typeof m === 'string');
  if (set.length > 1)
    problems.push(`set only one of JWT_JWKS_URL, JWT_PUBLIC_KEY, JWT_SECRET (got ${set.join(', ')})`);
  const jwtMode: AppConfig['jwtMode'] = jwtJwksUrl ? 'jwks' : jwtPublicKey ? 'public-key' : 'hs256';

  if (jwtSecret && jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  if (production && jwtMode === 'hs256' && !jwtSecret)
    problems.push('JWT_JWKS_URL or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  else if (production && jwtMode === 'hs256' && !allowHs256)
    problems.push(
      'JWT_SECRET (HS256, a shared secret) is refused when NODE_ENV=production: use JWT_JWKS_URL or JWT_PUBLIC_KEY, or set JWT_ALLOW_HS256=true',
    );
  if (jwtJwksUrl) {
    let url: URL | undefined;
    try {
      url = new URL(jwtJwksUrl);
    } catch {
      problems.push(`JWT_JWKS_URL must be an http(s) URL, got '${jwtJwksUrl}'`);
    }
    if (url && !['http:', 'https:'].includes(url.protocol))
      problems.push(`JWT_JWKS_URL must be an http(s) URL, got '${jwtJwksUrl}'`);
    else if (url && production && url.protocol !== 'https:')
      problems.push('JWT_JWKS_URL must use https when NODE_ENV=production');
  }

  const jwtIssuer = env.JWT_ISSUER?.trim() || undefined;
  const audience = (env.JWT_AUDIENCE ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  const jwtAudience = audience.length > 0 ? audience : undefined;
  if (production && jwtMode !== 'hs256') {
    if (!jwtIssuer) problems.push(`JWT_ISSUER is required when NODE_ENV=production (with ${set[0]})`);
    if (!jwtAudience) problems.push(`JWT_AUDIENCE is required when NODE_ENV=production (with ${set[0]})`);
  }

  const algText = env.JWT_ALGORITHMS?.trim() || 'RS256,ES256';
  const listed = algText.split(',').map((a) => a.trim());
  let jwtAlgorithms = listed.filter((a): a is JwtAlgorithm => ASYMMETRIC.includes(a as JwtAlgorithm));
  if (jwtAlgorithms.length !== listed.length)
    problems.push(`JWT_ALGORITHMS must be a comma-separated list of RS256, ES256, got '${algText}'`);
  const publicAlg = parseKey(problems, 'JWT_PUBLIC_KEY', jwtPublicKey, createPublicKey);
  if (publicAlg && !jwtAlgorithms.includes(publicAlg))
    problems.push(`JWT_PUBLIC_KEY is a ${publicAlg} key but JWT_ALGORITHMS allows only ${algText}`);
  parseKey(problems, 'JWT_PRIVATE_KEY', jwtPrivateKey, createPrivateKey);
  if (jwtMode === 'hs256') jwtAlgorithms = ['HS256'];
  else if (publicAlg) jwtAlgorithms = [publicAlg];

  const jwtRolesClaim = env.JWT_ROLES_CLAIM?.trim() || 'roles';
  if (!CLAIM_PATH.test(jwtRolesClaim))
    problems.push(
      `JWT_ROLES_CLAIM must be a claim name or a dotted path like realm_access.roles, got '${jwtRolesClaim}'`,
    );
  const jwtCustomerIdClaim = env.JWT_CUSTOMER_ID_CLAIM?.trim() || 'customerId';
  if (!CLAIM_PATH.test(jwtCustomerIdClaim))
    problems.push(`JWT_CUSTOMER_ID_CLAIM must be a claim name or a dotted path, got '${jwtCustomerIdClaim}'`);

  return {
    jwtMode,
    jwtSecret,
    jwtJwksUrl,
    jwtPublicKey,
    jwtPrivateKey,
    jwtIssuer,
    jwtAudience,
    jwtAlgorithms,
    jwtClockToleranceSeconds: intSetting(
      problems,
      'JWT_CLOCK_TOLERANCE_SECONDS',
      env.JWT_CLOCK_TOLERANCE_SECONDS || undefined,
      30,
      0,
      300,
    ),
    jwtRolesClaim,
    jwtCustomerIdClaim,
    jwtJwksCooldownSeconds: intSetting(
      problems,
      'JWT_JWKS_COOLDOWN_SECONDS',
      env.JWT_JWKS_COOLDOWN_SECONDS || undefined,
      30,
      0,
      3600,
    ),
    jwtJwksCacheMaxAgeSeconds: intSetting(
      problems,
      'JWT_JWKS_CACHE_MAX_AGE_SECONDS',
      env.JWT_JWKS_CACHE_MAX_AGE_SECONDS || undefined,
      600,
      1,
      86_400,
    ),
  };
}
