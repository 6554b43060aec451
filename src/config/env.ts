/**
 * Typed, validated environment. Bad configuration stops the process at start-up with one clear
 * message per problem (exit code 1), never a stack trace halfway through a request.
 */
export interface AppConfig {
  port: number;
  /** Write model; undefined = start the embedded server. */
  mongodbUri?: string;
  /** Read models; defaults to the write server, database `app_read`. */
  mongodbReadUri?: string;
  /** Data directory of the embedded server. */
  embeddedDbPath: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be an integer 0-65535, got '${portText}'`);
  const uri = env.MONGODB_URI?.trim() || undefined;
  if (uri && !/^mongodb(\+srv)?:\/\//.test(uri))
    problems.push(`MONGODB_URI must start with mongodb:// or mongodb+srv://`);
  const readUri = env.MONGODB_READ_URI?.trim() || undefined;
  if (readUri && !/^mongodb(\+srv)?:\/\//.test(readUri))
    problems.push(`MONGODB_READ_URI must start with mongodb:// or mongodb+srv://`);
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    problems.push(`LOG_LEVEL must be one of debug, info, warn, error`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    mongodbUri: uri,
    mongodbReadUri: readUri,
    embeddedDbPath: env.EMBEDDED_MONGO_DBPATH ?? './.data/mongo',
    logLevel,
  };
}
