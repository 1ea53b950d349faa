import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ApiServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../src/queue/create-queue.ts';
import { SYNC_OBJECT_QUEUE } from '../../src/sync/ingest/sync-object-job.ts';
import { ensureSyncRecord, recordFailed, recordHeld, recordSynced } from '../../src/sync/sync-records.ts';

const APP_SECRET = 'absec_test_only_secret';
const PORTAL_ORIGIN = 'http://portal.test:3000';
const ACCOUNT_A = 'acct_tenant_a';
const ACCOUNT_B = 'acct_tenant_b';
const USER = 'usr_finance_1';

let db: TestDatabase;
let boss: Queue;
let server: ApiServer;
let url: string;
let tenantA: { orgId: string; integrationId: string };
let tenantB: { orgId: string; integrationId: string };

async function createTenant(name: string, accountId: string) {
  const org = await db.prisma.organization.create({ data: { name, slug: name.toLowerCase() } });
  const integration = await db.prisma.integration.create({
    data: { orgId: org.id, name, source: 'stripe', sourceAccountId: accountId, sageEdition: 'sage_pro', sageCompanyId: `${name}-co`, timeZone: 'America/Chicago', homeCurrency: 'USD' },
  });
  return { orgId: org.id, integrationId: integration.id };
}

beforeAll(async () => {
  db = await createTestDatabase();
  const log = createLogger({ level: 'silent' });
  boss = await createQueue(db, { log, supervise: false, schedule: false });
  server = await buildServer({ env: { NEXTAUTH_SECRET: 'test-only-nextauth-secret-0123456789', PORTAL_ORIGIN, STRIPE_APP_SECRET: APP_SECRET }, db, boss, log });
  url = await server.listen({ host: '127.0.0.1', port: 0 });
  tenantA = await createTenant('Alpha', ACCOUNT_A);
  tenantB = await createTenant('Beta', ACCOUNT_B);
  // The Dashboard user of these tests linked themselves to an admin of tenant A (resync needs it).
  const admin = await db.prisma.user.create({ data: { email: 'admin@alpha.example', name: 'Alpha Admin' } });
  await db.prisma.membership.create({ data: { orgId: tenantA.orgId, userId: admin.id, role: 'admin' } });
  await db.prisma.stripeAppUserLink.create({ data: { orgId: tenantA.orgId, integrationId: tenantA.integrationId, stripeUserId: USER, userId: admin.id } });
});

afterAll(async () => {
  await server?.close();
  await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
  await db?.dispose();
});

type Signing = { secret?: string; timestamp?: number; accountId?: string; userId?: string };

/** The exact JSON the Dashboard sends and Stripe signs: route fields, then user_id, then account_id. */
function signedRequest(fields: Record<string, string>, signing: Signing = {}) {
  const payload = JSON.stringify({ ...fields, user_id: signing.userId ?? USER, account_id: signing.accountId ?? ACCOUNT_A });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: signing.secret ?? APP_SECRET, ...(signing.timestamp ? { timestamp: signing.timestamp } : {}) });
  return { payload, header };
}

async function post(route: string, body: string, header: string | null, origin?: string) {
  const response = await fetch(`${url}/stripe-app/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}), ...(origin ? { origin } : {}) },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function call(route: string, fields: Record<string, string>, signing: Signing = {}) {
  const { payload, header } = signedRequest(fields, signing);
  return post(route, payload, header);
}

async function failedCharge(tenant: { orgId: string; integrationId: string }, chargeId: string) {
  const record = await ensureSyncRecord(db.prisma, { ...tenant, objectType: 'charge', objectId: chargeId }, { amountMinor: 12_500n, currency: 'usd' });
  return recordFailed(db.prisma, record, { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage did not answer.' }, { startedAt: new Date(), final: true });
}

function expectErrorBody(body: Record<string, unknown>, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('signature', () => {
  it('accepts a request signed the way Stripe signs it', async () => {
    await failedCharge(tenantA, 'ch_signed_ok');
    const response = await call('charge-status', { object_id: 'ch_signed_ok' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ charge: { id: 'ch_signed_ok', status: 'dead' } });
  });

  it('refuses a missing signature, a wrong secret, a tampered body and an expired timestamp with 401', async () => {
    const { payload } = signedRequest({ object_id: 'ch_signed_ok' });
    const missing = await post('charge-status', payload, null);
    expect(missing.status).toBe(401);
    expectErrorBody(missing.body, 'SIGNATURE_MISSING');

    const wrongSecret = await call('charge-status', { object_id: 'ch_signed_ok' }, { secret: 'absec_someone_else' });
    expect(wrongSecret.status).toBe(401);
    expectErrorBody(wrongSecret.body, 'SIGNATURE_INVALID');

    const { header } = signedRequest({ object_id: 'ch_signed_ok' });
    const tampered = await post('charge-status', payload.replace(ACCOUNT_A, ACCOUNT_B), header);
    expect(tampered.status).toBe(401);
    expectErrorBody(tampered.body, 'SIGNATURE_INVALID');

    const expired = await call('charge-status', { object_id: 'ch_signed_ok' }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(expired.status).toBe(401);
    expectErrorBody(expired.body, 'SIGNATURE_INVALID');
  });

  it('does nothing for a refused resync', async () => {
    await failedCharge(tenantA, 'ch_refused_resync');
    const response = await call('resync', { charge_id: 'ch_refused_resync' }, { secret: 'absec_wrong' });
    expect(response.status).toBe(401);
    const jobs = await db.query(`SELECT id FROM pgboss.job WHERE data->>'objectId' = $1`, ['ch_refused_resync']);
    expect(jobs).toHaveLength(0);
    expect(await db.prisma.auditLogEntry.count({ where: { targetId: 'ch_refused_resync' } })).toBe(0);
  });
});

describe('tenant', () => {
  it('answers 409 ACCOUNT_NOT_LINKED for a correctly signed account with no integration', async () => {
    const response = await call('health', {}, { accountId: 'acct_unlinked' });
    expect(response.status).toBe(409);
    expectErrorBody(response.body, 'ACCOUNT_NOT_LINKED');
  });

  it("never shows or resyncs another tenant's record", async () => {
    await failedCharge(tenantB, 'ch_tenant_b_only');
    const read = await call('charge-status', { object_id: 'ch_tenant_b_only' });
    expect(read.status).toBe(404);
    expectErrorBody(read.body, 'NOT_FOUND');
    const resync = await call('resync', { charge_id: 'ch_tenant_b_only' });
    expect(resync.status).toBe(404);
    const unsigned = await post('charge-status', JSON.stringify({ ...JSON.parse(signedRequest({ object_id: 'ch_tenant_b_only' }).payload), org_id: tenantB.orgId }), signedRequest({ object_id: 'ch_tenant_b_only' }).header);
    expect(unsigned.status).toBe(404);
  });
});

describe('charge-status', () => {
  it('returns the charge, its refunds and dispute, and the attempt history', async () => {
    let charge = await ensureSyncRecord(db.prisma, { ...tenantA, objectType: 'charge', objectId: 'ch_full' }, { amountMinor: 5_000n, currency: 'usd' });
    charge = await recordFailed(db.prisma, charge, { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage did not answer.' }, { startedAt: new Date(), final: false });
    await recordSynced(db.prisma, charge, { documentType: 'cash_receipt', documentId: 'doc-1', documentNumber: 'CR-1001' }, { startedAt: new Date() });
    await ensureSyncRecord(db.prisma, { ...tenantA, objectType: 'refund', objectId: 're_1' }, { parentId: charge.id, amountMinor: 1_000n, currency: 'usd' });
    await ensureSyncRecord(db.prisma, { ...tenantA, objectType: 'dispute', objectId: 'du_1' }, { parentId: charge.id, amountMinor: 5_000n, currency: 'usd' });

    const response = await call('charge-status', { object_id: 'ch_full' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      charge: expect.objectContaining({ id: 'ch_full', status: 'synced', sageDocumentType: 'cash_receipt', sageDocumentNumber: 'CR-1001', portalUrl: expect.stringMatching(/^http:\/\/portal\.test:3000\//) }),
      refunds: [expect.objectContaining({ id: 're_1', status: 'pending', amountMinor: 1000, currency: 'usd' })],
      dispute: expect.objectContaining({ id: 'du_1', status: 'pending', amountMinor: 5000 }),
      attempts: [
        { number: 1, outcome: 'failed', at: expect.any(String), error: { message: 'Sage did not answer.', action: expect.any(String) } },
        { number: 2, outcome: 'succeeded', at: expect.any(String) },
      ],
    });
  });

  it('resolves a PaymentIntent through the charge events received for it, and says when it cannot', async () => {
    await failedCharge(tenantA, 'ch_of_pi');
    await db.prisma.receivedEvent.create({
      data: {
        orgId: tenantA.orgId,
        integrationId: tenantA.integrationId,
        source: 'stripe',
        eventId: 'evt_pi_1',
        type: 'charge.succeeded',
        objectType: 'charge',
        objectId: 'ch_of_pi',
        sourceCreatedAt: new Date(),
        payload: { id: 'evt_pi_1', data: { object: { id: 'ch_of_pi', object: 'charge', payment_intent: 'pi_known' } } },
      },
    });
    const known = await call('charge-status', { object_id: 'pi_known' });
    expect(known.status).toBe(200);
    expect(known.body).toMatchObject({ charge: { id: 'ch_of_pi' } });
    const unknown = await call('charge-status', { object_id: 'pi_never_seen' });
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body, 'NOT_FOUND');
  });
});

// In tenant B, so tenant A's health counts below stay as they are.
describe('charge-status for a held charge', () => {
  it('gives the anomaly reasons of its open review cases and of the hold itself, each once', async () => {
    const record = await ensureSyncRecord(db.prisma, { ...tenantB, objectType: 'charge', objectId: 'ch_held_reasons' }, { amountMinor: 990_000n, currency: 'usd' });
    await recordHeld(
      db.prisma,
      record,
      { code: 'ANOMALY_HOLD', retryable: false, message: 'Held for review.', detail: { score: 0.93, reasons: ['The amount is 40 times this customer\'s median.', 'Charged at 03:12, outside the usual hours.'] } },
      { startedAt: new Date() },
    );
    await db.prisma.anomalyCase.create({
      data: {
        orgId: tenantB.orgId,
        integrationId: tenantB.integrationId,
        syncRecordId: record.id,
        score: 0.93,
        severity: 'high',
        modelVersion: 'test-1',
        reasons: [
          { signal: 'amount_vs_customer', weight: 0.7, explanation: 'The amount is 40 times this customer\'s median.' },
          { signal: 'velocity', weight: 0.2, explanation: 'Third charge of this card in ten minutes.' },
        ],
      },
    });
    // A case already decided no longer explains why the item waits.
    await db.prisma.anomalyCase.create({
      data: { orgId: tenantB.orgId, integrationId: tenantB.integrationId, syncRecordId: record.id, score: 0.81, severity: 'medium', modelVersion: 'test-0', status: 'approved', reasons: [{ signal: 'old', weight: 1, explanation: 'An old reason.' }] },
    });

    const response = await call('charge-status', { object_id: 'ch_held_reasons' }, { accountId: ACCOUNT_B });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      charge: {
        id: 'ch_held_reasons',
        status: 'held',
        anomalyReasons: ["The amount is 40 times this customer's median.", 'Third charge of this card in ten minutes.', 'Charged at 03:12, outside the usual hours.'],
        error: { message: 'Held for review.', action: expect.any(String) },
      },
    });
  });

  it('falls back on the hold message when no reason was recorded, and gives no reasons to records that are not held', async () => {
    const record = await ensureSyncRecord(db.prisma, { ...tenantB, objectType: 'charge', objectId: 'ch_held_plain' });
    await recordHeld(db.prisma, record, { code: 'ANOMALY_HOLD', retryable: false, message: 'Unusual currency for this account.' }, { startedAt: new Date() });
    const held = await call('charge-status', { object_id: 'ch_held_plain' }, { accountId: ACCOUNT_B });
    expect((held.body.charge as { anomalyReasons: string[] }).anomalyReasons).toEqual(['Unusual currency for this account.']);

    await failedCharge(tenantB, 'ch_failed_no_reasons');
    const failed = await call('charge-status', { object_id: 'ch_failed_no_reasons' }, { accountId: ACCOUNT_B });
    expect(failed.body.charge).not.toHaveProperty('anomalyReasons');
  });
});

describe('resync', () => {
  it('enqueues a sync-object job for a failed charge and writes an audit entry', async () => {
    const record = await failedCharge(tenantA, 'ch_resync_me');
    const response = await call('resync', { charge_id: 'ch_resync_me' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'queued', message: expect.any(String) });

    const jobs = await db.query<{ data: { integrationId: string; objectType: string } }>(`SELECT data FROM pgboss.job WHERE name = $1 AND data->>'objectId' = $2`, [SYNC_OBJECT_QUEUE, 'ch_resync_me']);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toMatchObject({ integrationId: tenantA.integrationId, objectType: 'charge' });
    const audit = await db.prisma.auditLogEntry.findMany({ where: { orgId: tenantA.orgId, targetId: 'ch_resync_me' } });
    expect(audit).toEqual([expect.objectContaining({ actorKind: 'stripe_app', actorId: USER, action: 'sync.resync' })]);
    expect((await db.prisma.syncRecord.findUniqueOrThrow({ where: { id: record.id } })).status).toBe('pending');
  });
});

describe('resync refused', () => {
  it('answers failed with an action for a held record, and enqueues nothing', async () => {
    const record = await ensureSyncRecord(db.prisma, { ...tenantA, objectType: 'charge', objectId: 'ch_held' });
    await db.prisma.syncRecord.update({ where: { id: record.id }, data: { status: 'held' } });
    const response = await call('resync', { charge_id: 'ch_held' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'failed', message: expect.any(String), action: expect.any(String) });
    expect(await db.query(`SELECT id FROM pgboss.job WHERE data->>'objectId' = $1`, ['ch_held'])).toHaveLength(0);
    await db.prisma.syncRecord.update({ where: { id: record.id }, data: { status: 'synced' } });
  });
});

describe('payouts and health', () => {
  it('lists recent payouts with their state', async () => {
    await db.prisma.payoutReconciliation.create({
      data: { orgId: tenantA.orgId, integrationId: tenantA.integrationId, payoutId: 'po_held', status: 'held', currency: 'usd', payoutAmountMinor: 10_000n, differenceMinor: -25n, heldReason: 'The journal is 0.25 short.', arrivalDate: new Date('2026-03-02T03:00:00Z') },
    });
    await db.prisma.payoutReconciliation.create({
      data: { orgId: tenantA.orgId, integrationId: tenantA.integrationId, payoutId: 'po_posted', status: 'posted', currency: 'usd', payoutAmountMinor: 20_000n, differenceMinor: 0n, journalNumber: 'JE-7', arrivalDate: new Date('2026-03-01T15:00:00Z') },
    });
    await db.prisma.payoutReconciliation.create({
      data: { orgId: tenantB.orgId, integrationId: tenantB.integrationId, payoutId: 'po_other_tenant', status: 'posted', currency: 'usd', payoutAmountMinor: 1n },
    });
    const response = await call('payouts', {});
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      payouts: [
        { id: 'po_held', amountMinor: 10_000, currency: 'usd', arrivalDate: '2026-03-01', state: 'held', differenceMinor: -25, error: { message: 'The journal is 0.25 short.', action: expect.any(String) } },
        { id: 'po_posted', amountMinor: 20_000, currency: 'usd', arrivalDate: '2026-03-01', state: 'posted', journalNumber: 'JE-7' },
      ],
    });
  });

  it('reports the integration state, newest failures and held count', async () => {
    const response = await call('health', {});
    expect(response.status).toBe(200);
    const body = response.body as { integration: { state: string; sageEdition: string }; failures: { objectId: string; chargeId: string; status: string }[]; heldCount: number; reviewQueueUrl: string };
    expect(body.integration).toMatchObject({ state: 'degraded', sageEdition: 'sage_pro', message: expect.any(String) });
    expect(body.failures.map((failure) => failure.objectId)).toContain('ch_signed_ok');
    expect(body.failures.map((failure) => failure.objectId)).not.toContain('ch_tenant_b_only');
    expect(body.heldCount).toBe(0);
    expect(body.reviewQueueUrl).toBe(`${PORTAL_ORIGIN}/review`);
  });
});

describe('CORS', () => {
  it('answers a preflight from the extension\'s null origin and refuses any other origin', async () => {
    const allowed = await fetch(`${url}/stripe-app/charge-status`, {
      method: 'OPTIONS',
      headers: { origin: 'null', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, stripe-signature' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('null');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('stripe-signature');

    const evil = await fetch(`${url}/stripe-app/charge-status`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows the response to be read by the null origin only', async () => {
    const { payload, header } = signedRequest({});
    const fromApp = await post('health', payload, header, 'null');
    expect(fromApp.status).toBe(200);
    expect(fromApp.headers.get('access-control-allow-origin')).toBe('null');
    const fromEvil = await post('health', payload, header, 'https://evil.example');
    expect(fromEvil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
