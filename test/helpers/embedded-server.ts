/**
 * Jest fixtures for the embedded server. Call at describe level; the hooks start the server in
 * beforeAll and stop it (and close every client handed out, and remove temp dirs) in afterAll, also
 * when a test failed.
 *
 *   const mongo = withEmbeddedServer();               // in memory, in this process
 *   const mongo = withEmbeddedServerOnDisk();         // temp dbPath, in this process
 *   const children = withServerChildren();            // child processes (SIGKILL-able)
 *   it('...', async () => { const client = await mongo.client(); ... });
 */
import { afterAll, beforeAll } from '@jest/globals';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import {
  startEmbeddedMongo,
  type EmbeddedMongo,
  type EmbeddedMongoOptions,
} from '../../src/embedded-mongo/index.js';
import {
  killAllServerChildren,
  startServerChild,
  type ServerChild,
  type ServerChildOptions,
} from './server-child.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export {
  serverProcessEntry,
  startServerChild,
  type ServerChild,
  type ServerChildOptions,
} from './server-child.js';
export { makeTempDir, removeTempDir } from './temp-dir.js';

const HOOK_TIMEOUT_MS = 30_000;

/** Client options for tests: fail fast instead of the driver's 30 s server selection. */
export const TEST_CLIENT_OPTIONS: MongoClientOptions = {
  serverSelectionTimeoutMS: 5_000,
  connectTimeoutMS: 5_000,
};

export interface EmbeddedServerHandle {
  /** The running server (throws outside the describe's tests). */
  readonly server: EmbeddedMongo;
  readonly uri: string;
  /** The data directory, or undefined when in memory. */
  readonly dbPath: string | undefined;
  /** A connected MongoClient on this server, closed in afterAll. */
  client(options?: MongoClientOptions): Promise<MongoClient>;
}

/** Closes tracked MongoClients; shared by the fixtures. */
class ClientPool {
  private readonly clients = new Set<MongoClient>();

  async connect(uri: string, options: MongoClientOptions = {}): Promise<MongoClient> {
    const client = new MongoClient(uri, { ...TEST_CLIENT_OPTIONS, ...options });
    this.clients.add(client);
    await client.connect();
    return client;
  }

  async closeAll(): Promise<void> {
    const clients = [...this.clients];
    this.clients.clear();
    await Promise.allSettled(clients.map((c) => c.close(true)));
  }
}

function serverFixture(options: EmbeddedMongoOptions, onDisk: boolean): EmbeddedServerHandle {
  let server: EmbeddedMongo | undefined;
  let dbPath: string | undefined;
  const pool = new ClientPool();

  beforeAll(async () => {
    if (onDisk) dbPath = await makeTempDir('embedded-mongo-test');
    server = await startEmbeddedMongo({ logLevel: 'error', ...options, dbPath: dbPath ?? options.dbPath });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await pool.closeAll();
    try {
      await server?.stop();
    } finally {
      server = undefined;
      if (onDisk && dbPath !== undefined) await removeTempDir(dbPath);
    }
  }, HOOK_TIMEOUT_MS);

  const running = (): EmbeddedMongo => {
    if (server === undefined) throw new Error('the embedded server runs only inside this describe block');
    return server;
  };
  return {
    get server() {
      return running();
    },
    get uri() {
      return running().uri;
    },
    get dbPath() {
      return dbPath ?? options.dbPath;
    },
    client: (clientOptions) => pool.connect(running().uri, clientOptions),
  };
}

/** The server in this process, in memory. */
export function withEmbeddedServer(options: EmbeddedMongoOptions = {}): EmbeddedServerHandle {
  return serverFixture(options, false);
}

/** The server in this process on a fresh temp dbPath (removed in afterAll). */
export function withEmbeddedServerOnDisk(
  options: Omit<EmbeddedMongoOptions, 'dbPath'> = {},
): EmbeddedServerHandle {
  return serverFixture(options, true);
}

export interface ServerChildrenFixture {
  /** Starts a server child process; it is killed in afterAll if still running. */
  start(options?: ServerChildOptions): Promise<ServerChild>;
  /** A temp directory removed in afterAll. */
  tempDir(prefix?: string): Promise<string>;
  /** A connected MongoClient, closed in afterAll (or earlier by the test). */
  client(uri: string, options?: MongoClientOptions): Promise<MongoClient>;
}

/** Server child processes, temp dirs and clients, all cleaned up in afterAll even after a failure. */
export function withServerChildren(): ServerChildrenFixture {
  const dirs: string[] = [];
  const pool = new ClientPool();
  afterAll(async () => {
    await pool.closeAll();
    await killAllServerChildren();
    await Promise.all(dirs.splice(0).map((d) => removeTempDir(d)));
  }, HOOK_TIMEOUT_MS);
  return {
    start: (options) => startServerChild(options),
    tempDir: async (prefix = 'embedded-mongo-child') => {
      const dir = await makeTempDir(prefix);
      dirs.push(dir);
      return dir;
    },
    client: (uri, options) => pool.connect(uri, options),
  };
}
