import { MongoClient } from 'mongodb';

import { AssertionFailure } from './errors.js';
import { assertExpectedEvents, EventRecorder } from './events.js';
import { NO_ENTITIES } from './matcher.js';

// A client that is never connected: events are emitted by hand.
const client = new MongoClient('mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1');
afterAll(() => client.close());

function started(commandName: string, command: Record<string, unknown>, databaseName = 'db'): unknown {
  return { commandName, databaseName, command: { [commandName]: 1, ...command }, serverConnectionId: 1n };
}

describe('EventRecorder', () => {
  it('keeps observed command events and drops ignored and sensitive ones', () => {
    const recorder = new EventRecorder(client, {
      observeEvents: ['commandStartedEvent'],
      ignoreCommandMonitoringEvents: ['killCursors'],
    });
    client.emit('commandStarted', started('find', { filter: {} }) as never);
    client.emit('commandStarted', started('configureFailPoint', {}) as never);
    client.emit('commandStarted', started('killCursors', {}) as never);
    client.emit('commandStarted', started('saslStart', {}) as never);
    client.emit('commandStarted', { commandName: 'hello', databaseName: 'admin', command: {} } as never);
    client.emit('commandSucceeded', { commandName: 'find', reply: { ok: 1 } } as never);
    recorder.stop();
    client.emit('commandStarted', started('insert', {}) as never);
    recorder.dispose();
    expect(recorder.events.command.map((e) => e.type)).toEqual(['commandStartedEvent']);
  });

  it('counts checked-out connections', () => {
    const recorder = new EventRecorder(client, {});
    client.emit('connectionCheckedOut', {} as never);
    client.emit('connectionCheckedOut', {} as never);
    client.emit('connectionCheckedIn', {} as never);
    expect(recorder.checkedOut).toBe(1);
    recorder.dispose();
  });
});

describe('expectEvents', () => {
  const recorder = new EventRecorder(client, {
    observeEvents: ['commandStartedEvent', 'commandSucceededEvent'],
  });
  client.emit('commandStarted', started('insert', { documents: [{ _id: 1 }], ordered: true }) as never);
  client.emit('commandSucceeded', {
    commandName: 'insert',
    databaseName: 'db',
    reply: { ok: 1, n: 1 },
  } as never);
  recorder.dispose();
  const lookup = (): EventRecorder => recorder;

  it('matches commands as root documents, plus name and database', () => {
    const events = [
      {
        commandStartedEvent: {
          command: { insert: 1, documents: [{ _id: 1 }] },
          commandName: 'insert',
          databaseName: 'db',
        },
      },
      { commandSucceededEvent: { reply: { n: 1 }, commandName: 'insert' } },
    ];
    expect(() => assertExpectedEvents([{ client: 'c', events }], lookup, NO_ENTITIES)).not.toThrow();
  });

  it('requires the same number of events unless ignoreExtraEvents', () => {
    const events = [{ commandStartedEvent: { commandName: 'insert' } }];
    expect(() => assertExpectedEvents([{ client: 'c', events }], lookup, NO_ENTITIES)).toThrow(
      /expected 1 events, got 2/,
    );
    expect(() =>
      assertExpectedEvents([{ client: 'c', events, ignoreExtraEvents: true }], lookup, NO_ENTITIES),
    ).not.toThrow();
  });

  it('reports a wrong event type, name or database', () => {
    const wrongType = [{ commandFailedEvent: {} }, { commandSucceededEvent: {} }];
    expect(() => assertExpectedEvents([{ client: 'c', events: wrongType }], lookup, NO_ENTITIES)).toThrow(
      AssertionFailure,
    );
    const wrongDb = [{ commandStartedEvent: { databaseName: 'other' } }, { commandSucceededEvent: {} }];
    expect(() => assertExpectedEvents([{ client: 'c', events: wrongDb }], lookup, NO_ENTITIES)).toThrow(
      AssertionFailure,
    );
  });
});
