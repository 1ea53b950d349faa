import type { Integration, Organization, User } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/observability/logger.ts';
import { createCallerFactory } from '../src/trpc/procedures.ts';
import { appRouter } from '../src/trpc/root-router.ts';
import { createIntegration, createMember, sessionCookieFor } from './support/builders.ts';
import { startTestApi, TEST_PORTAL_URL, type TestApi } from './support/test-api.ts';

describe('mutations refuse cross-site and non-JSON requests', () => {
  let api: TestApi;
  let org: Organization;
  let admin: User;
  let integration: Integration;
  let cookie: string;

  beforeAll(async () => {
    api = await startTestApi();
    ({ org, user: admin } = await createMember(api.database.prisma, 'admin'));
    integration = await createIntegration(api.database.prisma, org);
    cookie = await sessionCookieFor(admin);
  });
  afterAll(() => api.close());

  /** A raw POST, as a browser form, a cross-site fetch or another server would send it. */
  function postUpdatePostingMode(headers: Record<string, string>, postingMode = 'payout_summary') {
    return fetch(`${api.url}/trpc/integration.updatePostingMode`, {
      method: 'POST',
      headers: { cookie, ...headers },
      body: JSON.stringify({ orgId: org.id, integrationId: integration.id, postingMode }),
    });
  }

  async function storedPostingMode() {
    return (await api.database.prisma.integration.findUniqueOrThrow({ where: { id: integration.id } })).postingMode;
  }

  it.each([
    ['a text/plain body (what a cross-site form or no-cors fetch can send)', { 'content-type': 'text/plain' }],
    ['a urlencoded form body', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content type at all', {}],
  ])('refuses %s with 415 and changes nothing', async (_case, headers: Record<string, string>) => {
    const response = await postUpdatePostingMode(headers);
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { data: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    expect(await storedPostingMode()).toBe('per_transaction');
  });

  it.each([
    ['an Origin other than the portal', { origin: 'https://evil.example' }],
    ['the portal host on another port', { origin: 'http://portal.test:3001' }],
    ['an opaque Origin (sandboxed frame)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
  ])('refuses %s with 403 and changes nothing', async (_case, headers: Record<string, string>) => {
    const response = await postUpdatePostingMode({ 'content-type': 'application/json', ...headers });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { data: { code: 'FORBIDDEN' } } });
    expect(await storedPostingMode()).toBe('per_transaction');
  });

  it('allows the portal\'s own origin, as its same-origin proxy forwards it', async () => {
    const response = await postUpdatePostingMode({
      'content-type': 'application/json; charset=utf-8',
      origin: TEST_PORTAL_URL,
      'sec-fetch-site': 'same-origin',
    });
    expect(response.status).toBe(200);
    expect(await storedPostingMode()).toBe('payout_summary');
  });

  it('allows a server-to-server call that carries neither Origin nor Sec-Fetch-Site', async () => {
    const response = await postUpdatePostingMode({ 'content-type': 'application/json' }, 'per_transaction');
    expect(response.status).toBe(200);
    expect(await storedPostingMode()).toBe('per_transaction');
  });

  it('applies the same checks inside tRPC to every mutation, however it is reached', async () => {
    const callerWith = createCallerFactory(appRouter);
    const context = (headers: Record<string, string>) => ({
      db: api.database.prisma,
      log: createLogger({ level: 'silent' }),
      requestId: 'in-process',
      session: { userId: admin.id, email: admin.email },
      headers,
      portalOrigin: api.env.PORTAL_ORIGIN,
      boss: null,
    });
    const input = { orgId: org.id, integrationId: integration.id, postingMode: 'payout_summary' } as const;

    await expect(callerWith(context({ 'content-type': 'text/plain' })).integration.updatePostingMode(input)).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    await expect(
      callerWith(context({ 'content-type': 'application/json', origin: 'https://evil.example' })).integration.updatePostingMode(input),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Queries change nothing, so they are not held to the mutation rules.
    await expect(callerWith(context({ 'content-type': 'text/plain' })).integration.list({ orgId: org.id })).resolves.toHaveLength(1);
    expect(await storedPostingMode()).toBe('per_transaction');
  });
});
