import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../../shared/auth/auth.decorators.js';
import { forbidden } from '../../../shared/errors/app-error.js';

/**
 * Per-resource authorization for `/api/customers/:id/...`: an admin may act on any customer; a
 * customer token only on its own `customerId`. Anyone else gets 403 before anything is loaded, so
 * the answer is the same whether or not the other customer exists (nothing leaks).
 * Runs after the global AuthGuard (which has set `req.principal`).
 */
@Injectable()
export class CustomerAccessGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    if (!principal) throw forbidden();
    if (principal.role === 'admin') return true;
    const id: unknown = req.params?.id;
    if (principal.role === 'customer' && typeof id === 'string' && principal.customerId === id) return true;
    throw forbidden('A customer can only act on their own profile and addresses');
  }
}
