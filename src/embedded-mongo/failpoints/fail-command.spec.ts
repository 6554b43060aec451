import { CloseConnectionRequest } from '../wire/close-request.js';
import {
  failCommandBefore,
  failCommandWriteConcernError,
  FailPointError,
  type CommandTarget,
} from './fail-command.js';
import { FailPoint, parseFailPointMode } from './fail-point.js';

const insert: CommandTarget = { name: 'insert', aliases: [], ns: 'db.c', appName: 'app1' };
const fam: CommandTarget = {
  name: 'findAndModify',
  aliases: ['findandmodify'],
  ns: 'db.c',
  appName: undefined,
};

function point(data: Record<string, unknown>, mode: unknown = { times: 1 }): FailPoint {
  const fp = new FailPoint('failCommand');
  fp.configure(parseFailPointMode(mode), data);
  return fp;
}

describe('failCommand', () => {
  it('fails a listed command with errorCode and the given labels', async () => {
    const fp = point({ failCommands: ['insert'], errorCode: 91, errorLabels: ['X'] });
    const err = await failCommandBefore(fp, insert).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailPointError);
    expect(err).toMatchObject({ code: 91, codeName: 'ShutdownInProgress', labelsOverride: ['X'] });
    // times: 1 -> the next command runs normally
    await expect(failCommandBefore(fp, insert)).resolves.toBeUndefined();
  });

  it('matches aliases, and leaves other commands (and configureFailPoint) alone without counting them', async () => {
    const fp = point({ failCommands: ['findandmodify', 'configureFailPoint'], errorCode: 8 });
    await expect(failCommandBefore(fp, insert)).resolves.toBeUndefined();
    await expect(
      failCommandBefore(fp, {
        name: 'configureFailPoint',
        aliases: [],
        ns: 'admin.$cmd',
        appName: undefined,
      }),
    ).resolves.toBeUndefined();
    expect(fp.timesEntered).toBe(0);
    await expect(failCommandBefore(fp, fam)).rejects.toMatchObject({ code: 8 });
  });

  it('filters on appName', async () => {
    const fp = point({ failCommands: ['insert'], errorCode: 8, appName: 'other' });
    await expect(failCommandBefore(fp, insert)).resolves.toBeUndefined();
    const mine = point({ failCommands: ['insert'], errorCode: 8, appName: 'app1' });
    await expect(failCommandBefore(mine, insert)).rejects.toMatchObject({ code: 8 });
  });

  it('closeConnection asks the connection to close, before any errorCode', async () => {
    const fp = point({ failCommands: ['insert'], closeConnection: true, errorCode: 8 });
    await expect(failCommandBefore(fp, insert)).rejects.toBeInstanceOf(CloseConnectionRequest);
  });

  it('blockConnection sleeps blockTimeMS, then lets the command run', async () => {
    const fp = point({ failCommands: ['insert'], blockConnection: true, blockTimeMS: 60 });
    const t0 = Date.now();
    await expect(failCommandBefore(fp, insert)).resolves.toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('a writeConcernError-only point does not fail the command; it is attached afterwards', async () => {
    const wce = { code: 91, errmsg: 'Replication is being shut down' };
    const fp = point({ failCommands: ['insert'], writeConcernError: wce, errorLabels: ['L'] });
    await expect(failCommandBefore(fp, insert)).resolves.toBeUndefined();
    expect(failCommandWriteConcernError(fp, insert)).toEqual({
      writeConcernError: wce,
      labelsOverride: ['L'],
    });
    expect(failCommandWriteConcernError(fp, insert)).toBeUndefined();
  });
});
