/**
 * The fail points this server implements, by name. They exist in every server but can only be
 * configured when it was started with `enableTestCommands` (configureFailPoint is refused
 * otherwise), so in production they stay off and cost one mode check per command.
 */
import { FailPoint } from './fail-point.js';

export class FailPointRegistry {
  /** Fails, blocks or disconnects selected commands (mongod's `failCommand`). */
  readonly failCommand = new FailPoint('failCommand');
  /** Fails a getMore once its cursor was found (mongod's `failGetMoreAfterCursorCheckout`). */
  readonly failGetMoreAfterCursorCheckout = new FailPoint('failGetMoreAfterCursorCheckout');
  /** Acts on a retryable write at its commit point (mongod's `onPrimaryTransactionalWrite`). */
  readonly onPrimaryTransactionalWrite = new FailPoint('onPrimaryTransactionalWrite');

  private readonly byName = new Map<string, FailPoint>(
    [this.failCommand, this.failGetMoreAfterCursorCheckout, this.onPrimaryTransactionalWrite].map((fp) => [
      fp.name,
      fp,
    ]),
  );

  get(name: string): FailPoint | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
