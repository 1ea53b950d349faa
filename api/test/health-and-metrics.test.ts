import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, sessionCookieFor } from './support/builders.ts';
import { captureLogs } from './support/log-capture.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

type HealthBody = {
  status: string;
  failing?: string[];
  database: { ok: boolean; kind: string; latencyMs: number; error?: string };
  queue: { ok: boolean; schemaVersion?: number; error?: string };
};

describe('health, metrics and request ids', () => {
  const logs = captureLogs();
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ log: logs.log });
  });
  afterAll(() => api.close());

  it('reports the database and the queue as working with 200', async () => {
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as HealthBody;
    expect(body).toMatchObject({
      status: 'ok',
      database: { ok: true, kind: api.database.kind },
      queue: { ok: true },
    });
    expect(body.database.latencyMs).toBeTypeOf('number');
    expect(body.queue.schemaVersion).toBeTypeOf('number');
  });

  it('serves Prometheus text with the request counter by route and status', async () => {
    await fetch(`${api.url}/healthz`);
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status_code="200"\} \d+/);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('keeps a sane incoming request id, echoes it, and logs every line of the request with it', async () => {
    const response = await fetch(`${api.url}/trpc/viewer.get`, { headers: { 'x-request-id': 'portal-req-42' } });
    expect(response.headers.get('x-request-id')).toBe('portal-req-42');
    const lines = logs.lines.filter((line) => line.requestId === 'portal-req-42');
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });

  it('replaces an incoming request id that is not a short token with a fresh one', async () => {
    const response = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': `bad id ${'x'.repeat(200)}` } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('when the database is gone', () => {
  const logs = captureLogs();
  let api: TestApi;
  let cookie: string;
  beforeAll(async () => {
    api = await startTestApi({ log: logs.log, separateServerHandle: true });
    cookie = await sessionCookieFor(await createUser(api.database.prisma));
  });
  afterAll(() => api.close());

  it('answers 503 and names the database as the failing part', async () => {
    await api.serverDatabase.close();
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as HealthBody;
    expect(body.status).toBe('unavailable');
    expect(body.failing).toContain('database');
    expect(body.database).toMatchObject({ ok: false, kind: api.database.kind });
    expect(body.database.error).toBeTypeOf('string');
  });

  it('a procedure answers INTERNAL_SERVER_ERROR without the cause, which only the log keeps, under the request id', async () => {
    await api.serverDatabase.close().catch(() => undefined);
    const response = await fetch(`${api.url}/trpc/viewer.get`, { headers: { cookie, 'x-request-id': 'lost-db-1' } });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { message: string; data: Record<string, unknown> } };
    expect(body.error.message).toBe('Something went wrong on our side. Quote the request id if you report it.');
    expect(body.error.data).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    // The session lookup failed, so there is no tRPC context to carry the id: the header always does.
    expect(response.headers.get('x-request-id')).toBe('lost-db-1');
    expect(body.error.data).not.toHaveProperty('stack');
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'error', requestId: 'lost-db-1', msg: 'procedure failed' }));
  });
});
