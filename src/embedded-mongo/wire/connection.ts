/**
 * Serves one client connection: frames the byte stream, decodes OP_MSG / OP_QUERY, hands each
 * command to `dispatch` and writes its reply.
 *
 * Contract:
 * - A connection's requests are dispatched one at a time, in arrival order; the reply to request N
 *   is written before request N+1 is dispatched.
 * - OP_QUERY is answered with OP_REPLY, OP_MSG with OP_MSG (with a checksum when the request had
 *   one). A request flagged moreToCome is run but never answered.
 * - Framing or protocol errors end the connection: one structured error log line, then the socket
 *   is destroyed. Nothing ever throws out of here, so one bad client cannot disturb the others.
 *   Socket errors (ECONNRESET, EPIPE...) are logged at debug level.
 * - Backpressure: reading pauses while the socket's write buffer is full (until 'drain') and while
 *   too many received requests wait for their turn.
 * - A reply too large to send becomes a BSONObjectTooLarge (10334) error reply; a dispatch that
 *   throws becomes an InternalError (1) reply, except a CloseConnectionRequest (test fail points),
 *   which closes the connection without a reply.
 */
import type { Socket } from 'node:net';
import { encodeDocument, type Document } from '../bson.js';
import type { Logger } from '../logger.js';
import {
  MAX_BSON_INTERNAL_SIZE,
  MAX_MESSAGE_SIZE_BYTES,
  OpCode,
  OpReplyFlag,
  WireErrorCodes,
} from './constants.js';
import { FrameReader, type Frame } from './frame-reader.js';
import { encodeOpMsg, mergeDocumentSequences, parseOpMsg } from './op-msg.js';
import { commandFromOpQuery, encodeOpReply, parseOpQuery } from './op-query.js';
import { nextRequestId } from './request-id.js';
import { WireProtocolError } from './wire-protocol-error.js';
import { CloseConnectionRequest } from './close-request.js';

/** One command as the dispatcher sees it, whatever opcode carried it. */
export interface WireCommand {
  /** The command document: OP_MSG body with kind-1 sequences merged in as arrays, `$db` included. */
  readonly body: Document;
  /** Arrived as OP_QUERY (legacy handshake); the reply goes back as OP_REPLY. */
  readonly legacy: boolean;
  /** The client wants no reply (w:0 writes). The command still runs; its result is dropped. */
  readonly moreToCome: boolean;
  /** The client accepts several replies (exhaust); replies are currently always single. */
  readonly exhaustAllowed: boolean;
  readonly requestId: number;
  readonly connectionId: number;
}

export interface ServeConnectionOptions {
  /** Runs one command; expected to turn errors into `{ok: 0, ...}` documents itself. */
  readonly dispatch: (req: WireCommand) => Promise<Document>;
  readonly logger: Logger;
  readonly connectionId: number;
  /** Called once, when the socket has closed. */
  readonly onClose?: () => void;
}

export interface WireConnection {
  readonly connectionId: number;
  /** Destroys the socket; an in-flight dispatch finishes but its reply is dropped. */
  close(): void;
  /** Settles once the socket has closed and no dispatch is running. */
  readonly closed: Promise<void>;
}

/** Received requests allowed to wait for their turn before reading pauses. */
const MAX_QUEUED_FRAMES = 1024;
const MAX_QUEUED_BYTES = MAX_MESSAGE_SIZE_BYTES;

export function serveConnection(socket: Socket, options: ServeConnectionOptions): WireConnection {
  return new ServedConnection(socket, options);
}

type PauseReason = 'queue' | 'drain';

class ServedConnection implements WireConnection {
  readonly connectionId: number;
  readonly closed: Promise<void>;
  private readonly reader = new FrameReader();
  private readonly queue: Frame[] = [];
  private queuedBytes = 0;
  private processing = false;
  private socketClosed = false;
  private closing = false;
  private readonly pauses = new Set<PauseReason>();
  private resolveClosed: () => void = () => undefined;
  private drainWaiter: (() => void) | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly options: ServeConnectionOptions,
  ) {
    this.connectionId = options.connectionId;
    this.closed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.wakeDrainWaiter());
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.options.logger.debug('socket error', {
        connectionId: this.connectionId,
        code: err.code,
        error: err.message,
      });
    });
    socket.on('close', () => this.onSocketClose());
    if (socket.destroyed) this.onSocketClose();
  }

  close(): void {
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.protocolError(err);
      return;
    }
    for (const frame of frames) {
      this.queue.push(frame);
      this.queuedBytes += frame.bytes.length;
    }
    if (this.reader.error) {
      // Frames completed before the bad header still run (as with mongod); nothing more is read.
      this.pause('queue');
    } else if (this.queue.length >= MAX_QUEUED_FRAMES || this.queuedBytes >= MAX_QUEUED_BYTES) {
      this.pause('queue');
    }
    if (!this.processing && this.queue.length > 0) void this.process();
    else if (!this.processing && this.reader.error) this.protocolError(this.reader.error);
  }

  private onEnd(): void {
    // The client will send nothing more. Unless the server allows half-open sockets, Node ends our
    // side too; either way, finish what was received, then close.
    if (!this.processing && this.queue.length === 0 && !this.closing) this.socket.end();
  }

  private onSocketClose(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.wakeDrainWaiter();
    if (!this.processing) this.resolveClosed();
    try {
      this.options.onClose?.();
    } catch (err) {
      this.options.logger.error('onClose callback threw', {
        connectionId: this.connectionId,
        error: errorText(err),
      });
    }
  }

  private async process(): Promise<void> {
    this.processing = true;
    try {
      let frame = this.queue.shift();
      while (frame !== undefined && !this.closing) {
        this.queuedBytes -= frame.bytes.length;
        if (this.queue.length === 0 && !this.reader.error) this.unpause('queue');
        await this.handle(frame);
        frame = this.queue.shift();
      }
      if (!this.closing && this.reader.error) this.protocolError(this.reader.error);
      else if (!this.closing && this.socket.readableEnded) this.socket.end();
    } catch (err) {
      if (err instanceof WireProtocolError) {
        this.protocolError(err);
      } else {
        this.options.logger.error('connection failed', {
          connectionId: this.connectionId,
          error: errorText(err),
        });
        this.close();
      }
    } finally {
      this.processing = false;
      if (this.socketClosed) this.resolveClosed();
    }
  }

  private async handle(frame: Frame): Promise<void> {
    if (frame.header.opCode === OpCode.OP_MSG) {
      const msg = parseOpMsg(frame.bytes);
      let body: Document;
      try {
        body = mergeDocumentSequences(msg);
      } catch (err) {
        // The message is well formed, only its command is ambiguous: answer, as mongod does.
        if (!(err instanceof WireProtocolError)) throw err;
        if (!msg.moreToCome)
          await this.replyOpMsg(
            errorReply(err.message, err.code, err.codeName),
            msg.requestId,
            msg.checksumPresent,
          );
        return;
      }
      const reply = await this.dispatch({
        body,
        legacy: false,
        moreToCome: msg.moreToCome,
        exhaustAllowed: msg.exhaustAllowed,
        requestId: msg.requestId,
        connectionId: this.connectionId,
      });
      if (!msg.moreToCome) await this.replyOpMsg(reply, msg.requestId, msg.checksumPresent);
      return;
    }
    // The frame reader only lets OP_MSG and OP_QUERY through.
    const query = parseOpQuery(frame.bytes);
    const command = commandFromOpQuery(query);
    if (command === null) {
      const refusal = {
        $err: 'OP_QUERY is no longer supported. The client driver may require an upgrade.',
        code: WireErrorCodes.Location5739101,
        ok: 0,
      };
      await this.write(
        encodeOpReply(refusal, {
          requestId: nextRequestId(),
          responseTo: query.requestId,
          responseFlags: OpReplyFlag.queryFailure,
        }),
      );
      return;
    }
    const reply = await this.dispatch({
      body: command.body,
      legacy: true,
      moreToCome: false,
      exhaustAllowed: false,
      requestId: query.requestId,
      connectionId: this.connectionId,
    });
    await this.write(
      encodeOpReply(this.encodeReply(reply), { requestId: nextRequestId(), responseTo: query.requestId }),
    );
  }

  private async dispatch(command: WireCommand): Promise<Document> {
    try {
      const reply = await this.options.dispatch(command);
      if (typeof reply !== 'object' || reply === null)
        throw new TypeError(`dispatch returned ${String(reply)}`);
      return reply;
    } catch (err) {
      if (err instanceof CloseConnectionRequest) {
        // Test fail points: close without a reply (the caller's write is skipped once closing).
        this.options.logger.debug('closing connection on request', {
          connectionId: this.connectionId,
          reason: err.message,
        });
        this.close();
        return {};
      }
      this.options.logger.error('dispatch threw', { connectionId: this.connectionId, error: errorText(err) });
      return errorReply(errorText(err), 1, 'InternalError');
    }
  }

  private replyOpMsg(reply: Document, responseTo: number, checksum: boolean): Promise<void> {
    return this.write(
      encodeOpMsg(this.encodeReply(reply), { requestId: nextRequestId(), responseTo, checksum }),
    );
  }

  /** BSON of a reply, or of the error reply that replaces it when it cannot be sent. */
  private encodeReply(reply: Document): Buffer {
    let bytes: Buffer;
    try {
      bytes = encodeDocument(reply);
    } catch (err) {
      this.options.logger.error('reply is not serializable', {
        connectionId: this.connectionId,
        error: errorText(err),
      });
      return encodeDocument(
        errorReply(`reply could not be serialized: ${errorText(err)}`, 1, 'InternalError'),
      );
    }
    // A reply larger than the serializer's internal buffer comes back truncated, but then its
    // length is still above this limit, so it is caught here as well.
    if (bytes.length > MAX_BSON_INTERNAL_SIZE) {
      const hex = bytes.length.toString(16).toUpperCase();
      return encodeDocument(
        errorReply(
          `BSONObj size: ${bytes.length} (0x${hex}) is invalid. Size must be between 0 and ${MAX_BSON_INTERNAL_SIZE}(16MB)`,
          WireErrorCodes.BSONObjectTooLarge,
          'BSONObjectTooLarge',
        ),
      );
    }
    return bytes;
  }

  private async write(parts: Buffer[]): Promise<void> {
    if (this.closing || !this.socket.writable) return;
    this.socket.cork();
    let flushed = true;
    for (const part of parts) flushed = this.socket.write(part);
    this.socket.uncork();
    if (flushed) return;
    this.pause('drain');
    await new Promise<void>((resolve) => {
      this.drainWaiter = resolve;
    });
    this.unpause('drain');
  }

  private wakeDrainWaiter(): void {
    const wake = this.drainWaiter;
    this.drainWaiter = null;
    wake?.();
  }

  private pause(reason: PauseReason): void {
    this.pauses.add(reason);
    this.socket.pause();
  }

  private unpause(reason: PauseReason): void {
    if (!this.pauses.delete(reason)) return;
    if (this.pauses.size === 0 && !this.closing) this.socket.resume();
  }

  private protocolError(err: unknown): void {
    if (this.closing) return;
    const wireError = err instanceof WireProtocolError ? err : null;
    this.options.logger.error('wire protocol error, closing connection', {
      connectionId: this.connectionId,
      reason: wireError?.reason ?? 'Unknown',
      code: wireError?.code,
      error: errorText(err),
      remote: `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`,
    });
    this.close();
  }
}

function errorReply(errmsg: string, code: number, codeName: string): Document {
  return { ok: 0, errmsg, code, codeName };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
