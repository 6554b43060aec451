import { claimAt, principalFromClaims } from './claims.js';

const names = { roles: 'roles', customerId: 'customerId' };

describe('claims', () => {
  it('finds a claim by name, by dotted path, and a dotted name before a path', () => {
    expect(claimAt({ roles: ['a'] }, 'roles')).toEqual(['a']);
    expect(claimAt({ realm_access: { roles: ['b'] } }, 'realm_access.roles')).toEqual(['b']);
    expect(claimAt({ 'https://x.io/roles': ['c'], https: { x: 1 } }, 'https://x.io/roles')).toEqual(['c']);
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.constructor.name')).toBeUndefined();
  });

  it('admin wins over customer; a single string role works; unknown roles do not', () => {
    expect(principalFromClaims({ sub: 's', roles: ['customer', 'admin'] }, names).role).toBe('admin');
    expect(principalFromClaims({ sub: 's', roles: 'admin' }, names).role).toBe('admin');
    expect(() => principalFromClaims({ sub: 's', roles: ['root'] }, names)).toThrow(
      'token has no valid role',
    );
    expect(() => principalFromClaims({ sub: 's', role: 'admin' }, names)).toThrow('token has no valid role');
  });

  it('requires a subject, and a customerId for customers', () => {
    expect(() => principalFromClaims({ roles: ['admin'] }, names)).toThrow('token has no subject');
    expect(() => principalFromClaims({ sub: '', roles: ['admin'] }, names)).toThrow('token has no subject');
    expect(() => principalFromClaims({ sub: 's', roles: ['customer'] }, names)).toThrow(
      'customer token has no customerId',
    );
    expect(principalFromClaims({ sub: 's', roles: ['customer'], customerId: 'c' }, names)).toEqual({
      sub: 's',
      role: 'customer',
      customerId: 'c',
    });
  });
});
