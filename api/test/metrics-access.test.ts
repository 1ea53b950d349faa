import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from './support/log-capture.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const TOKEN = 'scrape-me-0123456789abcdef';

describe('/metrics without METRICS_TOKEN: this machine only', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('answers a loopback client', async () => {
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('# TYPE http_requests_total counter');
  });

  it('refuses a client on another machine with 403 and says how to allow a scraper', async () => {
    const response = await api.server.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: { code: 'METRICS_LOOPBACK_ONLY', message: expect.stringContaining('set METRICS_TOKEN') } });
    expect(response.body).not.toContain('http_requests_total');
  });
});

describe('/metrics with METRICS_TOKEN: the bearer token, from anywhere', () => {
  const logs = captureLogs();
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ log: logs.log, env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => api.close());

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer scrape-me-0123456789abcdeX' }],
    ['the token without the Bearer scheme', { authorization: TOKEN }],
  ])('refuses %s with 401, even from loopback', async (_case, headers) => {
    const response = await fetch(`${api.url}/metrics`, { headers });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METRICS_TOKEN_REQUIRED');
  });

  it('answers the right token from another machine, and never logs it', async () => {
    const response = await api.server.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('http_request_duration_seconds_bucket');
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs.lines)).not.toContain(TOKEN);
  });
});
