import { describe, expect, it } from 'vitest';
import { childLogger } from '../src/observability/logger.ts';
import { captureLogs } from './support/log-capture.ts';

describe('logger', () => {
  it('writes JSON lines with a level name and a timestamp', () => {
    const capture = captureLogs();
    capture.log.info({ orgId: 'org_1' }, 'hello');
    expect(capture.lines[0]).toMatchObject({ level: 'info', msg: 'hello', orgId: 'org_1' });
    expect(typeof capture.lines[0]?.time).toBe('string');
  });

  it('never writes a password, a token or an authorization header, at any logged depth', () => {
    const capture = captureLogs();
    capture.log.info(
      {
        password: 'hunter2-top',
        credentials: { password: 'hunter2-nested', apiKey: 'key-nested' },
        connection: { oauth: { accessToken: 'at-deep', refreshToken: 'rt-deep', clientSecret: 'cs-deep' } },
        token: 'tok-top',
        req: { headers: { authorization: 'Bearer sk_live_secret', cookie: 'next-auth.session-token=abc' } },
      },
      'connecting',
    );
    const text = capture.text();
    for (const secret of ['hunter2-top', 'hunter2-nested', 'key-nested', 'at-deep', 'rt-deep', 'cs-deep', 'tok-top', 'sk_live_secret', 'session-token=abc']) {
      expect(text).not.toContain(secret);
    }
    expect(capture.lines[0]).toMatchObject({
      password: '[redacted]',
      credentials: { password: '[redacted]' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
    });
  });

  it('carries the request, job and organization ids on every line of a child logger', () => {
    const capture = captureLogs();
    const log = childLogger(capture.log, { requestId: 'req-1', jobId: 'job-1', orgId: 'org-1' });
    log.info('one');
    log.warn('two');
    for (const line of capture.lines) expect(line).toMatchObject({ requestId: 'req-1', jobId: 'job-1', orgId: 'org-1' });
  });
});
