/**
 * Event capture for client entities (`observeEvents`) and the `expectEvents` assertion.
 *
 * Capture follows unified-test-format.md "Executing a Test": only the observed event types are
 * kept; commands named in `ignoreCommandMonitoringEvents`, `configureFailPoint` and sensitive
 * commands (auth commands, and hello/isMaster carrying speculativeAuthenticate, which the driver
 * redacts to an empty document) are dropped unless `observeSensitiveCommands` is true.
 */
import type { EventEmitter } from 'node:events';

import type { Document, MongoClient } from 'mongodb';

import { AssertionFailure, RunnerError } from './errors.js';
import { assertMatches, type MatchEnvironment } from './matcher.js';
import type { ExpectedEventsForClient } from './schema.js';
import { isRecord, presentKeys, readProperty } from './values.js';

export type EventCategory = 'command' | 'cmap' | 'sdam';

/** unified-format event name -> [driver event name, category] */
const EVENT_NAMES: Readonly<Record<string, readonly [string, EventCategory]>> = {
  commandStartedEvent: ['commandStarted', 'command'],
  commandSucceededEvent: ['commandSucceeded', 'command'],
  commandFailedEvent: ['commandFailed', 'command'],
  poolCreatedEvent: ['connectionPoolCreated', 'cmap'],
  poolReadyEvent: ['connectionPoolReady', 'cmap'],
  poolClearedEvent: ['connectionPoolCleared', 'cmap'],
  poolClosedEvent: ['connectionPoolClosed', 'cmap'],
  connectionCreatedEvent: ['connectionCreated', 'cmap'],
  connectionReadyEvent: ['connectionReady', 'cmap'],
  connectionClosedEvent: ['connectionClosed', 'cmap'],
  connectionCheckOutStartedEvent: ['connectionCheckOutStarted', 'cmap'],
  connectionCheckOutFailedEvent: ['connectionCheckOutFailed', 'cmap'],
  connectionCheckedOutEvent: ['connectionCheckedOut', 'cmap'],
  connectionCheckedInEvent: ['connectionCheckedIn', 'cmap'],
  serverDescriptionChangedEvent: ['serverDescriptionChanged', 'sdam'],
  serverHeartbeatStartedEvent: ['serverHeartbeatStarted', 'sdam'],
  serverHeartbeatSucceededEvent: ['serverHeartbeatSucceeded', 'sdam'],
  serverHeartbeatFailedEvent: ['serverHeartbeatFailed', 'sdam'],
  topologyDescriptionChangedEvent: ['topologyDescriptionChanged', 'sdam'],
  topologyOpeningEvent: ['topologyOpening', 'sdam'],
  topologyClosedEvent: ['topologyClosed', 'sdam'],
  serverOpeningEvent: ['serverOpening', 'sdam'],
  serverClosedEvent: ['serverClosed', 'sdam'],
};

/** Commands whose events are never observed unless observeSensitiveCommands (command monitoring spec). */
const SENSITIVE_COMMANDS: ReadonlySet<string> = new Set([
  'authenticate',
  'saslStart',
  'saslContinue',
  'getnonce',
  'createUser',
  'updateUser',
  'copydbgetnonce',
  'copydbsaslstart',
  'copydb',
]);

export function isKnownEventName(name: string): boolean {
  return Object.hasOwn(EVENT_NAMES, name);
}

export function eventCategory(name: string): EventCategory | undefined {
  return EVENT_NAMES[name]?.[1];
}

export interface RecordedEvent {
  /** Unified-format name, e.g. 'commandStartedEvent'. */
  readonly type: string;
  /** The driver's event object. */
  readonly event: unknown;
}

export interface RecorderOptions {
  observeEvents?: readonly string[];
  ignoreCommandMonitoringEvents?: readonly string[];
  observeSensitiveCommands?: boolean;
}

export class EventRecorder {
  readonly events: Record<EventCategory, RecordedEvent[]> = { command: [], cmap: [], sdam: [] };
  /** Connections currently checked out of this client's pools (always counted). */
  checkedOut = 0;
  private capturing = true;
  private readonly ignored: ReadonlySet<string>;
  private readonly observeSensitive: boolean;
  private readonly subscriptions: Array<[string, (event: unknown) => void]> = [];
  private readonly emitter: EventEmitter;

  constructor(client: MongoClient, options: RecorderOptions) {
    this.emitter = client;
    this.observeSensitive = options.observeSensitiveCommands ?? false;
    this.ignored = new Set([...(options.ignoreCommandMonitoringEvents ?? []), 'configureFailPoint']);
    for (const name of options.observeEvents ?? []) {
      const known = EVENT_NAMES[name];
      if (known === undefined) throw new RunnerError(`observeEvents: unknown event type '${name}'`);
      const [driverName, category] = known;
      this.subscribe(driverName, (event) => this.record(name, category, event));
    }
    this.subscribe('connectionCheckedOut', () => {
      this.checkedOut += 1;
    });
    this.subscribe('connectionCheckedIn', () => {
      this.checkedOut -= 1;
    });
  }

  private subscribe(driverName: string, listener: (event: unknown) => void): void {
    this.emitter.on(driverName, listener);
    this.subscriptions.push([driverName, listener]);
  }

  private isIgnoredCommand(event: unknown): boolean {
    const name = readProperty(event, 'commandName');
    if (typeof name !== 'string') return false;
    if (this.ignored.has(name)) return true;
    if (this.observeSensitive) return false;
    if (SENSITIVE_COMMANDS.has(name)) return true;
    // The driver redacts hello/isMaster with speculativeAuthenticate to an empty document.
    for (const field of ['command', 'reply']) {
      const doc = readProperty(event, field);
      if (isRecord(doc) && presentKeys(doc).length === 0) return true;
    }
    return false;
  }

  private record(type: string, category: EventCategory, event: unknown): void {
    if (!this.capturing) return;
    if (category === 'command' && this.isIgnoredCommand(event)) return;
    this.events[category].push({ type, event });
  }

  /** Stops recording (connection counting goes on until dispose). */
  stop(): void {
    this.capturing = false;
  }

  dispose(): void {
    this.capturing = false;
    for (const [name, listener] of this.subscriptions) this.emitter.off(name, listener);
    this.subscriptions.length = 0;
  }

  commandStartedEvents(): unknown[] {
    return this.events.command.filter((e) => e.type === 'commandStartedEvent').map((e) => e.event);
  }
}

export function summarizeEvent(recorded: RecordedEvent): string {
  const name = readProperty(recorded.event, 'commandName');
  return typeof name === 'string' ? `${recorded.type}(${name})` : recorded.type;
}

function checkEqual(path: string, expected: unknown, actual: unknown): void {
  if (expected !== actual) {
    throw new AssertionFailure(
      `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}

/** Throws AssertionFailure unless `recorded` is the event `expected` describes. */
export function assertEventMatches(
  expected: Document,
  recorded: RecordedEvent,
  env: MatchEnvironment,
  path: string,
): void {
  const keys = Object.keys(expected);
  if (keys.length !== 1) throw new RunnerError(`${path}: an expected event must have exactly one key`);
  const type = keys[0]!;
  if (!isKnownEventName(type)) throw new RunnerError(`${path}: unknown event type '${type}'`);
  if (recorded.type !== type) {
    throw new AssertionFailure(`${path}: expected ${type}, got ${summarizeEvent(recorded)}`);
  }
  const spec: unknown = expected[type];
  if (!isRecord(spec)) throw new RunnerError(`${path}.${type} must be a document`);
  const event = recorded.event;
  for (const [field, value] of Object.entries(spec)) {
    const at = `${path}.${type}.${field}`;
    switch (field) {
      case 'command':
      case 'reply':
        assertMatches(value, readProperty(event, field), env, { path: at, root: true });
        break;
      case 'commandName':
      case 'databaseName':
      case 'reason':
      case 'interruptInUseConnections':
        checkEqual(at, value, readProperty(event, field));
        break;
      case 'hasServiceId':
        checkEqual(at, value, readProperty(event, 'serviceId') != null);
        break;
      case 'hasServerConnectionId':
        checkEqual(at, value, readProperty(event, 'serverConnectionId') != null);
        break;
      default:
        throw new RunnerError(`${at}: this runner does not check event field '${field}'`);
    }
  }
}

export function eventMatches(expected: Document, recorded: RecordedEvent, env: MatchEnvironment): boolean {
  try {
    assertEventMatches(expected, recorded, env, 'event');
    return true;
  } catch (error) {
    if (error instanceof AssertionFailure) return false;
    throw error;
  }
}

/** test.expectEvents: per client, the observed events in order and in number. */
export function assertExpectedEvents(
  expectations: readonly ExpectedEventsForClient[],
  recorderFor: (clientId: string) => EventRecorder,
  env: MatchEnvironment,
): void {
  for (const expectation of expectations) {
    const category: EventCategory = expectation.eventType ?? 'command';
    const actual = recorderFor(expectation.client).events[category];
    const expected = expectation.events;
    const names = (): string => actual.map(summarizeEvent).join(', ') || 'none';
    const where = `expectEvents[${expectation.client}/${category}]`;
    if (
      expectation.ignoreExtraEvents === true
        ? actual.length < expected.length
        : actual.length !== expected.length
    ) {
      throw new AssertionFailure(
        `${where}: expected ${expected.length} events, got ${actual.length}: ${names()}`,
      );
    }
    expected.forEach((event, i) => assertEventMatches(event, actual[i]!, env, `${where}[${i}]`));
  }
}
