import type { Organization, PrismaClient } from '@sagesync/db';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSyncRecord, recordFailed, recordHeld, recordSynced } from '../../src/sync/sync-records.ts';
import { RECORD_ATTEMPTS_SHOWN } from '../../src/trpc/records-router/get-record.ts';
import { createIntegration, createMember, createOrganization, sessionCookieFor } from '../support/builders.ts';
import { startTestApi, TEST_PORTAL_URL, trpcClient, type TestApi } from '../support/test-api.ts';

let api: TestApi;
let prisma: PrismaClient;
beforeAll(async () => {
  api = await startTestApi();
  prisma = api.database.prisma;
});
afterAll(() => api.close());

const asPortalBrowser = async (user: Parameters<typeof sessionCookieFor>[0]) =>
  trpcClient(api, { cookie: await sessionCookieFor(user), headers: { origin: TEST_PORTAL_URL, 'sec-fetch-site': 'same-origin' } });

async function codeOf(call: Promise<unknown>) {
  const error = await call.then(() => null, (caught: unknown) => caught);
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : 'not refused';
}

const now = () => ({ startedAt: new Date() });

/** A member of a fresh organization with one integration. */
async function tenant(role: 'owner' | 'viewer' = 'viewer', org?: Organization) {
  const member = await createMember(prisma, role, org);
  const integration = await createIntegration(prisma, member.org, { name: 'Shop to Sage 50' });
  return { ...member, integration, key: { orgId: member.org.id, integrationId: integration.id } };
}

async function heldCharge(t: Awaited<ReturnType<typeof tenant>>, chargeId: string, reasons: string[], heldAt?: Date) {
  const record = await ensureSyncRecord(prisma, { ...t.key, objectType: 'charge', objectId: chargeId }, { amountMinor: 125_000n, currency: 'usd' });
  const held = await recordHeld(prisma, record, { code: 'ANOMALY_HOLD', retryable: false, message: reasons.join(' '), detail: { score: 0.93, reasons } }, now());
  // The queue is ordered by when an item was held; a test that needs a known order says when.
  return heldAt ? prisma.syncRecord.update({ where: { id: held.id }, data: { updatedAt: heldAt } }) : held;
}

describe('records.get', () => {
  it('shows a member its own synced charge: Sage document, amount as minor units with the exponent, and its integration', async () => {
    const t = await tenant('viewer');
    const record = await ensureSyncRecord(prisma, { ...t.key, objectType: 'charge', objectId: 'ch_synced' }, { amountMinor: 9_007_199_254_740_993n, currency: 'usd' });
    await recordSynced(prisma, record, { documentType: 'cash_receipt', documentId: 'doc-77', documentNumber: 'CR-1077' }, now());

    const shown = await (await asPortalBrowser(t.user)).records.get.query({ orgId: t.org.id, id: record.id });

    expect(shown).toMatchObject({
      id: record.id,
      sourceObjectType: 'charge',
      sourceObjectId: 'ch_synced',
      status: 'synced',
      sageDocument: { type: 'cash_receipt', id: 'doc-77', number: 'CR-1077' },
      // Beyond 2^53: only a string keeps every digit.
      amount: { minor: '9007199254740993', currency: 'USD', exponent: 2 },
      error: null,
      anomalyReasons: [],
      integration: { id: t.integration.id, name: 'Shop to Sage 50', sageEdition: 'sage50', sourceAccountId: t.integration.sourceAccountId },
      parent: null,
      children: [],
      attemptCount: 1,
    });
    expect(shown.attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'succeeded', error: null })]);
  });

  it('answers another organization’s record as NOT_FOUND, and refuses a non-member of the named organization', async () => {
    const owner = await tenant('owner');
    const record = await ensureSyncRecord(prisma, { ...owner.key, objectType: 'charge', objectId: 'ch_private' }, { amountMinor: 500n, currency: 'usd' });

    const outsider = await tenant('owner');
    const client = await asPortalBrowser(outsider.user);
    expect(await codeOf(client.records.get.query({ orgId: outsider.org.id, id: record.id }))).toBe('NOT_FOUND');
    // Naming the record's own organization does not help someone who is not in it.
    expect(await codeOf(client.records.get.query({ orgId: owner.org.id, id: record.id }))).toBe('FORBIDDEN');
  });

  it('links a charge to its refunds and dispute, and a refund back to its charge', async () => {
    const t = await tenant();
    const charge = await ensureSyncRecord(prisma, { ...t.key, objectType: 'charge', objectId: 'ch_parent' }, { amountMinor: 10_000n, currency: 'jpy' });
    const refund = await ensureSyncRecord(prisma, { ...t.key, objectType: 'refund', objectId: 're_first' }, { parentId: charge.id, amountMinor: 1_000n, currency: 'jpy' });
    const dispute = await ensureSyncRecord(prisma, { ...t.key, objectType: 'dispute', objectId: 'du_later' }, { parentId: charge.id, amountMinor: 9_000n, currency: 'jpy' });
    const client = await asPortalBrowser(t.user);

    const shownCharge = await client.records.get.query({ orgId: t.org.id, id: charge.id });
    expect(shownCharge.amount).toEqual({ minor: '10000', currency: 'JPY', exponent: 0 });
    expect(shownCharge.children).toEqual([
      { id: refund.id, sourceObjectType: 'refund', sourceObjectId: 're_first', status: 'pending', amount: { minor: '1000', currency: 'JPY', exponent: 0 } },
      { id: dispute.id, sourceObjectType: 'dispute', sourceObjectId: 'du_later', status: 'pending', amount: { minor: '9000', currency: 'JPY', exponent: 0 } },
    ]);

    const shownRefund = await client.records.get.query({ orgId: t.org.id, id: refund.id });
    expect(shownRefund.parent).toMatchObject({ id: charge.id, sourceObjectType: 'charge', sourceObjectId: 'ch_parent' });
    expect(shownRefund.children).toEqual([]);
  });

  it('lists attempts newest first with what each failure means, capped, and says what to do about the record', async () => {
    const t = await tenant();
    let record = await ensureSyncRecord(prisma, { ...t.key, objectType: 'charge', objectId: 'ch_flaky' });
    const failures = RECORD_ATTEMPTS_SHOWN + 2;
    for (let attempt = 1; attempt <= failures; attempt += 1) {
      record = await recordFailed(prisma, record, { code: 'SAGE_UNAVAILABLE', retryable: true, message: `Sage answered 503 (try ${attempt})` }, { ...now(), final: attempt === failures });
    }

    const shown = await (await asPortalBrowser(t.user)).records.get.query({ orgId: t.org.id, id: record.id });

    expect(shown.status).toBe('dead');
    expect(shown.error).toEqual({ message: `Sage answered 503 (try ${failures})`, action: expect.stringContaining('Press Resync') });
    expect(shown.attemptCount).toBe(failures);
    expect(shown.attempts).toHaveLength(RECORD_ATTEMPTS_SHOWN);
    expect(shown.attempts.map((attempt) => attempt.number)).toEqual(Array.from({ length: RECORD_ATTEMPTS_SHOWN }, (_, index) => failures - index));
    // The last attempt gave up (dead); the ones before it had a retry to come (failed).
    expect(shown.attempts[0]).toMatchObject({ outcome: 'dead', error: { message: `Sage answered 503 (try ${failures})` } });
    expect(shown.attempts[1]).toMatchObject({ outcome: 'failed', error: { message: `Sage answered 503 (try ${failures - 1})` } });
  });

  it('explains a held record with its open review cases’ reasons first, then the hold’s own', async () => {
    const t = await tenant();
    const record = await heldCharge(t, 'ch_odd', ['Charged at 03:12, outside the usual hours.']);
    await prisma.anomalyCase.create({
      data: {
        orgId: t.org.id,
        integrationId: t.integration.id,
        syncRecordId: record.id,
        score: 0.93,
        severity: 'high',
        reasons: [{ signal: 'amount', weight: 0.7, explanation: "The amount is 40 times this customer's median." }],
        modelVersion: 'test-1',
      },
    });

    const shown = await (await asPortalBrowser(t.user)).records.get.query({ orgId: t.org.id, id: record.id });

    expect(shown.status).toBe('held');
    expect(shown.anomalyReasons).toEqual(["The amount is 40 times this customer's median.", 'Charged at 03:12, outside the usual hours.']);
    expect(shown.error).toEqual({ message: 'Charged at 03:12, outside the usual hours.', action: 'Approve or reject it in the review queue.' });
    expect(shown.attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'held' })]);
  });
});

describe('records.held', () => {
  it('pages through the organization’s held items newest first, each once, and nothing else', async () => {
    const t = await tenant();
    const base = Date.parse('2026-03-01T12:00:00Z');
    const minutes = [1, 5, 5, 9, 2];
    const held = [];
    for (const [index, minute] of minutes.entries()) {
      held.push(await heldCharge(t, `ch_held_${index}`, [`Reason ${index}.`], new Date(base + minute * 60_000)));
    }
    // Not held, and held in another organization: neither is in the queue.
    await recordSynced(prisma, await ensureSyncRecord(prisma, { ...t.key, objectType: 'charge', objectId: 'ch_fine' }), { documentType: 'cash_receipt', documentId: 'd', documentNumber: 'n' }, now());
    await heldCharge(await tenant(), 'ch_elsewhere', ['Not yours.']);

    const client = await asPortalBrowser(t.user);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof client.records.held.query>> = await client.records.held.query({ orgId: t.org.id, limit: 2, cursor });
      seen.push(...page.items.map((item) => item.sourceObjectId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    const expected = [...held].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (b.id < a.id ? -1 : 1)).map((record) => record.sourceObjectId);
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
    expect(seen[0]).toBe('ch_held_3');
    expect(seen[seen.length - 1]).toBe('ch_held_0');
  });

  it('shows each item with its reasons, amount, integration and object id, filtered by integration when asked', async () => {
    const t = await tenant();
    const second = await createIntegration(prisma, t.org, { name: 'Second shop' });
    await heldCharge(t, 'ch_first_shop', ['Third charge of this card in ten minutes.']);
    const other = await ensureSyncRecord(prisma, { orgId: t.org.id, integrationId: second.id, objectType: 'payout', objectId: 'po_manual' }, { amountMinor: 4_340n, currency: 'bhd' });
    await recordHeld(prisma, other, { code: 'PAYOUT_HELD', retryable: false, message: 'This is a manual payout: it is held for review.' }, now());

    const client = await asPortalBrowser(t.user);
    const onlySecond = await client.records.held.query({ orgId: t.org.id, integrationId: second.id, limit: 25 });
    expect(onlySecond).toEqual({
      items: [
        {
          id: other.id,
          sourceObjectType: 'payout',
          sourceObjectId: 'po_manual',
          amount: { minor: '4340', currency: 'BHD', exponent: 3 },
          reasons: ['This is a manual payout: it is held for review.'],
          integration: { id: second.id, name: 'Second shop', sageEdition: 'sage50', sourceAccountId: second.sourceAccountId },
          heldAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const all = await client.records.held.query({ orgId: t.org.id, limit: 25 });
    expect(all.items.map((item) => item.sourceObjectId).sort()).toEqual(['ch_first_shop', 'po_manual']);
    expect(all.items.find((item) => item.sourceObjectId === 'ch_first_shop')?.reasons).toEqual(['Third charge of this card in ten minutes.']);
  });

  it('answers an empty queue, another organization’s integration as NOT_FOUND, and a forged cursor as BAD_REQUEST', async () => {
    const t = await tenant();
    const client = await asPortalBrowser(t.user);
    await expect(client.records.held.query({ orgId: t.org.id, limit: 25 })).resolves.toEqual({ items: [], nextCursor: null });

    const other = await tenant();
    expect(await codeOf(client.records.held.query({ orgId: t.org.id, integrationId: other.integration.id, limit: 25 }))).toBe('NOT_FOUND');
    expect(await codeOf(client.records.held.query({ orgId: t.org.id, limit: 25, cursor: 'not-a-cursor' }))).toBe('BAD_REQUEST');
    const outsider = await createOrganization(prisma);
    expect(await codeOf(client.records.held.query({ orgId: outsider.id, limit: 25 }))).toBe('FORBIDDEN');
  });
});
