/**
 * Who is calling: the principal the auth guard derives from a verified bearer token, and the error
 * a token is refused with (401 AUTH.UNAUTHORIZED, with the message only, never the token).
 * Verification lives in token-verifier.ts (the `jose` library); development tokens in dev-token.ts.
 */
export type Role = 'customer' | 'admin';

export interface Principal {
  /** Subject: the customer id for customers, an operator name for admins. */
  sub: string;
  role: Role;
  /** Present for customers: the customer the token acts for. */
  customerId?: string;
}

/** A token that is not accepted; the message says why in a few words and never quotes the token. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

export { signToken } from './dev-token.js';
