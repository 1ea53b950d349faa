import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSyncRecord, isStaleVersion, recordFailed, recordHeld, recordSynced, type ObjectKey } from '../../src/sync/sync-records.ts';

let db: TestDatabase;
let key: ObjectKey;

beforeAll(async () => {
  db = await createTestDatabase();
  const org = await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } });
  const integration = await db.prisma.integration.create({
    data: { orgId: org.id, name: 'Acme', source: 'stripe', sourceAccountId: 'acct_acme', sageEdition: 'sage_pro', sageCompanyId: 'demo-pro', timeZone: 'America/Chicago', homeCurrency: 'USD' },
  });
  key = { orgId: org.id, integrationId: integration.id, objectType: 'charge', objectId: 'ch_1' };
});
afterAll(async () => {
  await db.dispose();
});

describe('sync records', () => {
  it('are created pending once per object, however often they are ensured', async () => {
    const first = await ensureSyncRecord(db.prisma, key, { amountMinor: 1999n, currency: 'USD' });
    const second = await ensureSyncRecord(db.prisma, key);
    expect(second.id).toBe(first.id);
    expect(second.status).toBe('pending');
    expect(second.amountMinor).toBe(1999n);
  });

  it('keep a numbered history: a retryable failure, then dead, then synced clears the error', async () => {
    const started = { startedAt: new Date(), jobId: 'job-1', eventId: 'evt_1' };
    let record = await ensureSyncRecord(db.prisma, key);
    record = await recordFailed(db.prisma, record, { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage answered 500' }, { ...started, final: false, nextAttemptAt: new Date(Date.now() + 60_000) });
    expect(record.status).toBe('failed');
    record = await recordFailed(db.prisma, record, { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage answered 500' }, { ...started, final: true });
    expect(record.status).toBe('dead');
    record = await recordSynced(db.prisma, record, { documentType: 'cash_receipt', documentId: 'R1', documentNumber: 'CR-0001', objectVersionAt: new Date(1_700_000_000_000) }, started);
    expect(record).toMatchObject({ status: 'synced', sageDocumentNumber: 'CR-0001', lastError: null, attempts: 3 });
    const attempts = await db.prisma.syncAttempt.findMany({ where: { syncRecordId: record.id }, orderBy: { number: 'asc' } });
    expect(attempts.map((a) => [a.number, a.outcome])).toEqual([[1, 'retry_scheduled'], [2, 'failed'], [3, 'succeeded']]);
  });

  it('hold an item with its reason', async () => {
    const record = await ensureSyncRecord(db.prisma, { ...key, objectId: 'ch_held' });
    const held = await recordHeld(db.prisma, record, { code: 'ANOMALY_HELD', retryable: false, message: 'Amount is 40× this customer’s usual' }, { startedAt: new Date() });
    expect(held.status).toBe('held');
    expect(held.lastError).toMatchObject({ code: 'ANOMALY_HELD' });
  });

  it('treat a version from the same second as a tie to apply, and only an earlier one as stale', () => {
    const applied = { objectVersionAt: new Date(1_700_000_000_000) };
    expect(isStaleVersion(applied, new Date(1_700_000_000_000))).toBe(false);
    expect(isStaleVersion(applied, new Date(1_699_999_999_000))).toBe(true);
    expect(isStaleVersion({ objectVersionAt: null }, new Date(0))).toBe(false);
  });
});
