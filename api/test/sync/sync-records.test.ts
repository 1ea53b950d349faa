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

  it('number every attempt once when several jobs write one record at the same moment (a refund’s job syncing its charge beside the charge’s own)', async () => {
    // Several rounds: on PostgreSQL the writers really overlap (a pool of connections), and one
    // round may happen not to collide.
    for (let round = 0; round < 8; round += 1) {
      const record = await ensureSyncRecord(db.prisma, { ...key, objectId: `ch_contended_${round}` });
      const writers = Array.from({ length: 3 }, (_, index) =>
        recordSynced(db.prisma, record, { documentType: 'cash_receipt', documentId: 'R7', documentNumber: 'CR-0007' }, { startedAt: new Date(), jobId: `job-${index}` }),
      );
      expect((await Promise.allSettled(writers)).map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const attempts = await db.prisma.syncAttempt.findMany({ where: { syncRecordId: record.id }, orderBy: { number: 'asc' } });
      expect(attempts.map((attempt) => attempt.number)).toEqual([1, 2, 3]);
      expect(new Set(attempts.map((attempt) => attempt.jobId))).toEqual(new Set(['job-0', 'job-1', 'job-2']));
    }
  });

  it('are created once when several jobs ensure the same object at the same moment', async () => {
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => ensureSyncRecord(db.prisma, { ...key, objectId: 'ch_race' })));
    expect(new Set(concurrent.map((record) => record.id)).size).toBe(1);
    expect(await db.prisma.syncRecord.count({ where: { integrationId: key.integrationId, sourceObjectId: 'ch_race' } })).toBe(1);
  });

  it('store the amount, currency and parent an outcome names together with the outcome and its attempt', async () => {
    const parent = await ensureSyncRecord(db.prisma, { ...key, objectId: 'ch_parent' });
    const record = await ensureSyncRecord(db.prisma, { ...key, objectType: 'refund', objectId: 're_1' });
    const synced = await recordSynced(db.prisma, record, { documentType: 'credit_memo', documentId: 'M1', documentNumber: 'CM-0001' }, { startedAt: new Date() }, { parentId: parent.id, amountMinor: 500n, currency: 'USD' });
    expect(synced).toMatchObject({ status: 'synced', parentId: parent.id, amountMinor: 500n, currency: 'USD', attempts: 1 });
    const stored = await db.prisma.syncRecord.findUniqueOrThrow({ where: { id: record.id } });
    expect(stored).toEqual(synced);
    expect(await db.prisma.syncAttempt.count({ where: { syncRecordId: record.id, outcome: 'succeeded', number: 1 } })).toBe(1);
  });

  it('refuse an outcome for a record that no longer exists, and add no attempt for it', async () => {
    const record = await ensureSyncRecord(db.prisma, { ...key, objectId: 'ch_deleted' });
    await db.prisma.syncRecord.delete({ where: { id: record.id } });
    await expect(recordSynced(db.prisma, record, { documentType: 'cash_receipt', documentId: 'R9', documentNumber: 'CR-0009' }, { startedAt: new Date() })).rejects.toThrowError(/no longer exists/);
    expect(await db.prisma.syncAttempt.count({ where: { syncRecordId: record.id } })).toBe(0);
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
