/**
 * Thrown by a command (through the dispatcher) to make its connection close without replying,
 * as mongod does for the `closeConnection` option of its test-only fail points. The connection
 * recognises it, destroys the socket and drops the reply; the client sees a network error.
 */
export class CloseConnectionRequest extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CloseConnectionRequest';
  }
}
