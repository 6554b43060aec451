import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../errors/app-error.js';
import { IS_PUBLIC, ROLES, type AuthenticatedRequest } from './auth.decorators.js';
import { TokenError, type Role } from './jwt.js';
import { TokenVerifier } from './token-verifier.js';

/** Global guard: every route needs a valid bearer token unless marked @Public(); @Roles narrows it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer '))
      throw unauthorized('Missing bearer token');
    try {
      req.principal = await this.verifier.verify(header.slice(7).trim());
    } catch (e) {
      // The reason only: the token itself never reaches a response or a log line.
      if (e instanceof TokenError) throw unauthorized(`Invalid token: ${e.message}`);
      throw e;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(req.principal.role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
    return true;
  }
}
