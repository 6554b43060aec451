/**
 * The per-test entity map (unified-test-format.md, "Entity Map"): unique names, typed lookups that
 * fail loudly on a missing or mistyped entity, and teardown of everything a test created.
 *
 * Supported: client, database, collection, session, plus cursors, change streams and BSON values
 * saved with saveResultAsEntity. thread, bucket and clientEncryption entities are not (tests that
 * use them are skipped by a skip-list rule).
 */
import {
  MongoClient,
  type AbstractCursor,
  type ChangeStream,
  type ClusterTime,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
  type MongoClientOptions,
} from 'mongodb';

import { RunnerError, withTimeout } from './errors.js';
import { EventRecorder } from './events.js';
import type { MatchEnvironment } from './matcher.js';
import { clientOptionsFrom, collectionOptionsFrom, sessionOptionsFrom } from './options.js';
import type { EntityDescription } from './schema.js';
import { isRecord, readProperty, toNative } from './values.js';

export interface ClientEntity {
  readonly id: string;
  readonly client: MongoClient;
  readonly recorder: EventRecorder;
}

export interface SessionEntity {
  readonly id: string;
  readonly session: ClientSession;
  readonly clientId: string;
  /** `{ id: Binary }`, captured at creation so it survives endSession. */
  readonly lsid: Document;
}

export type Entity =
  | { kind: 'client'; value: ClientEntity }
  | { kind: 'database'; value: Db }
  | { kind: 'collection'; value: Collection<Document> }
  | { kind: 'session'; value: SessionEntity }
  | { kind: 'cursor'; value: AbstractCursor<Document> }
  | { kind: 'changeStream'; value: ChangeStream<Document> }
  | { kind: 'value'; value: unknown };

export type EntityKind = Entity['kind'];

type ValueOf<K extends EntityKind> = Extract<Entity, { kind: K }>['value'];

const CLIENT_FIELDS = [
  'id',
  'uriOptions',
  'useMultipleMongoses',
  'observeEvents',
  'ignoreCommandMonitoringEvents',
  'observeSensitiveCommands',
  'serverApi',
  'observeLogMessages',
];

const CLOSE_TIMEOUT_MS = 5_000;

function stringField(doc: Document, key: string, where: string): string {
  const value: unknown = doc[key];
  if (typeof value !== 'string') throw new RunnerError(`${where}.${key} must be a string`);
  return value;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new RunnerError(`${where} must be a list of strings`);
  }
  return value as string[];
}

export class EntityMap implements MatchEnvironment {
  private readonly entries = new Map<string, Entity>();
  /** Set once teardown started: anything created afterwards (a timed-out test still running) is closed at once. */
  private tornDown = false;

  /**
   * Cluster time read after initialData; every session entity is advanced to it (as the unified
   * format prescribes for sharded clusters, DRIVERS-2816; harmless elsewhere). The driver rejects
   * a malformed $clusterTime here, which is a server failure worth seeing.
   */
  initialClusterTime: ClusterTime | undefined;

  constructor(private readonly uri: string) {}

  set(name: string, entity: Entity): void {
    if (this.entries.has(name)) throw new RunnerError(`entity '${name}' already exists`);
    this.entries.set(name, entity);
  }

  get(name: string): Entity {
    const entity = this.entries.get(name);
    if (entity === undefined) throw new RunnerError(`no entity named '${name}'`);
    return entity;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  getAs<K extends EntityKind>(name: string, kind: K): ValueOf<K> {
    const entity = this.get(name);
    if (entity.kind !== kind) throw new RunnerError(`entity '${name}' is a ${entity.kind}, not a ${kind}`);
    return entity.value as ValueOf<K>;
  }

  clients(): ClientEntity[] {
    return [...this.entries.values()].flatMap((e) => (e.kind === 'client' ? [e.value] : []));
  }

  // MatchEnvironment
  entityValue(name: string): unknown {
    const entity = this.get(name);
    if (entity.kind !== 'value')
      throw new RunnerError(`$$matchesEntity: '${name}' is a ${entity.kind}, not a BSON value`);
    return entity.value;
  }

  sessionLsid(name: string): unknown {
    return this.getAs(name, 'session').lsid;
  }

  async createAll(descriptions: readonly EntityDescription[] | undefined): Promise<void> {
    for (const description of descriptions ?? []) await this.create(description);
  }

  async create(description: EntityDescription): Promise<void> {
    const kinds = Object.keys(description);
    if (kinds.length !== 1) throw new RunnerError('an entity description must have exactly one key');
    const kind = kinds[0]!;
    const spec: unknown = description[kind];
    if (!isRecord(spec)) throw new RunnerError(`${kind} entity must be a document`);
    const id = stringField(spec, 'id', kind);
    if (this.entries.has(id)) throw new RunnerError(`entity '${id}' already exists`);
    switch (kind) {
      case 'client':
        return this.createClient(id, spec);
      case 'database': {
        const client = this.getAs(stringField(spec, 'client', 'database'), 'client');
        const name = stringField(spec, 'databaseName', 'database');
        const options = collectionOptionsFrom(spec['databaseOptions'], `${id}.databaseOptions`);
        this.set(id, { kind: 'database', value: client.client.db(name, options) });
        return;
      }
      case 'collection': {
        const db = this.getAs(stringField(spec, 'database', 'collection'), 'database');
        const name = stringField(spec, 'collectionName', 'collection');
        const options = collectionOptionsFrom(spec['collectionOptions'], `${id}.collectionOptions`);
        this.set(id, { kind: 'collection', value: db.collection<Document>(name, options) });
        return;
      }
      case 'session':
        return this.createSession(id, spec);
      default:
        throw new RunnerError(`unsupported entity type '${kind}'`);
    }
  }

  private async createClient(id: string, spec: Document): Promise<void> {
    for (const key of Object.keys(spec)) {
      if (!CLIENT_FIELDS.includes(key)) throw new RunnerError(`client ${id}: unsupported field '${key}'`);
    }
    const options: MongoClientOptions = { ...clientOptionsFrom(spec['uriOptions']), monitorCommands: true };
    if (spec['serverApi'] !== undefined)
      options.serverApi = toNative(spec['serverApi']) as MongoClientOptions['serverApi'];
    const client = new MongoClient(this.uri, options);
    const recorder = new EventRecorder(client, {
      observeEvents: stringList(spec['observeEvents'], `${id}.observeEvents`),
      ignoreCommandMonitoringEvents: stringList(
        spec['ignoreCommandMonitoringEvents'],
        `${id}.ignoreCommandMonitoringEvents`,
      ),
      observeSensitiveCommands: spec['observeSensitiveCommands'] === true,
    });
    const entity: ClientEntity = { id, client, recorder };
    this.set(id, { kind: 'client', value: entity });
    // No explicit connect(): it checks a connection out and in (CMAP events no test expects), which
    // the driver's auto-connect on the first operation does not. Its own runner skips that ping too.
    if (this.tornDown) await closeQuietly(() => client.close());
  }

  private async createSession(id: string, spec: Document): Promise<void> {
    const clientId = stringField(spec, 'client', 'session');
    const client = this.getAs(clientId, 'client');
    const { options, snapshotTimeEntity } = sessionOptionsFrom(
      spec['sessionOptions'],
      `${id}.sessionOptions`,
    );
    const session = client.client.startSession(options);
    if (this.initialClusterTime !== undefined) session.advanceClusterTime(this.initialClusterTime);
    if (snapshotTimeEntity !== undefined) {
      // The driver has no public option for it; its own unified runner sets the same field.
      Object.assign(session, { snapshotTime: this.getAs(snapshotTimeEntity, 'value') });
    }
    const serverSessionId = session.id;
    if (serverSessionId === undefined) throw new RunnerError(`session ${id}: the driver gave it no lsid`);
    this.set(id, { kind: 'session', value: { id, session, clientId, lsid: { id: serverSessionId.id } } });
  }

  /** Teardown: close change streams and cursors, end sessions, close clients. Never throws. */
  async closeAll(): Promise<void> {
    this.tornDown = true;
    const all = [...this.entries.values()];
    for (const entity of all) {
      if (entity.kind === 'changeStream' || entity.kind === 'cursor') {
        await closeQuietly(() => entity.value.close());
      }
    }
    for (const entity of all) {
      if (entity.kind === 'session') await closeQuietly(() => entity.value.session.endSession());
    }
    for (const entity of all) {
      if (entity.kind === 'client') {
        entity.value.recorder.dispose();
        await closeQuietly(() => entity.value.client.close());
      }
    }
  }
}

async function closeQuietly(close: () => Promise<unknown>): Promise<void> {
  try {
    await withTimeout(close(), CLOSE_TIMEOUT_MS, 'closing an entity');
  } catch {
    // Teardown must go on; a failure here is not what the test is about.
  }
}

/** The `session.transaction.state` of the driver (internal), e.g. 'TRANSACTION_IN_PROGRESS'. */
export function transactionState(session: ClientSession): unknown {
  return readProperty(readProperty(session, 'transaction'), 'state');
}
