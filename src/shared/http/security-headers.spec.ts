import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Request, Response } from 'express';
import { configuredHelmet, recordSecurityHeaders, securityHeaders } from './security-headers.js';

function freshResponse(): ServerResponse {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  res.setHeader('X-Powered-By', 'Express');
  return res;
}

describe('security headers recorded from helmet', () => {
  it('leave a response exactly as helmet itself does', () => {
    const byHelmet = freshResponse();
    configuredHelmet()(new IncomingMessage(new Socket()), byHelmet, (err) => {
      if (err) throw err;
    });
    const recorded = freshResponse();
    let nextCalled = false;
    securityHeaders()({} as Request, recorded as Response, () => (nextCalled = true));
    expect(nextCalled).toBe(true);
    expect(recorded.getHeaders()).toEqual(byHelmet.getHeaders());
    expect(recorded.getHeader('x-powered-by')).toBeUndefined();
    expect(recorded.getHeader('content-security-policy')).toContain("script-src 'self'");
  });

  it('record the service options (frame denial, no referrer, no upgrade-insecure-requests)', () => {
    const headers = new Map(recordSecurityHeaders().set.map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });
});
