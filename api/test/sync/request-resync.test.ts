import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../src/queue/create-queue.ts';
import { SYNC_OBJECT_QUEUE } from '../../src/sync/ingest/sync-object-job.ts';
import { requestResync, ResyncRefusedError } from '../../src/sync/request-resync.ts';
import { ensureSyncRecord, recordFailed, recordHeld } from '../../src/sync/sync-records.ts';

let db: TestDatabase;
let boss: Queue;
let key: { orgId: string; integrationId: string };

beforeAll(async () => {
  db = await createTestDatabase();
  boss = await createQueue(db, { log: createLogger({ level: 'silent' }), supervise: false, schedule: false });
  const org = await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } });
  const integration = await db.prisma.integration.create({
    data: { orgId: org.id, name: 'Acme', source: 'stripe', sourceAccountId: 'acct_acme', sageEdition: 'sage_pro', sageCompanyId: 'demo-pro', timeZone: 'UTC', homeCurrency: 'USD' },
  });
  key = { orgId: org.id, integrationId: integration.id };
});
afterAll(async () => {
  await boss.stop({ graceful: false, close: true });
  await db.dispose();
});

async function jobsFor(objectId: string) {
  return db.query<{ singleton_key: string; data: { eventId: string } }>(
    `SELECT singleton_key, data FROM pgboss.job WHERE name = $1 AND data->>'objectId' = $2`,
    [SYNC_OBJECT_QUEUE, objectId],
  );
}

describe('resync', () => {
  it('re-enqueues a dead charge on its own object key, marks it pending and keeps who asked in the audit log', async () => {
    let record = await ensureSyncRecord(db.prisma, { ...key, objectType: 'charge', objectId: 'ch_dead' });
    record = await recordFailed(db.prisma, record, { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage answered 500' }, { startedAt: new Date(), final: true });
    expect(record.status).toBe('dead');

    const { jobId } = await requestResync(db.prisma, boss, record, { kind: 'user', id: 'user_1', requestId: 'req_1' });
    expect(jobId).not.toBeNull();
    const jobs = await jobsFor('ch_dead');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.singleton_key).toBe(`${key.integrationId}:charge:ch_dead`);
    expect(jobs[0]!.data.eventId).toMatch(/^resync:/);
    expect((await db.prisma.syncRecord.findUniqueOrThrow({ where: { id: record.id } })).status).toBe('pending');
    const audit = await db.prisma.auditLogEntry.findFirstOrThrow({ where: { action: 'sync.resync', targetId: 'ch_dead' } });
    expect(audit).toMatchObject({ actorKind: 'user', actorId: 'user_1', requestId: 'req_1' });
  });

  it('refuses an item held for review and enqueues nothing', async () => {
    let record = await ensureSyncRecord(db.prisma, { ...key, objectType: 'charge', objectId: 'ch_held' });
    record = await recordHeld(db.prisma, record, { code: 'ANOMALY_HELD', retryable: false, message: 'held' }, { startedAt: new Date() });
    await expect(requestResync(db.prisma, boss, record, { kind: 'user', id: 'user_1' })).rejects.toBeInstanceOf(ResyncRefusedError);
    expect(await jobsFor('ch_held')).toHaveLength(0);
  });

  it('refuses a PayTrace object, which the Stripe path cannot fetch', async () => {
    const record = await ensureSyncRecord(db.prisma, { ...key, objectType: 'paytrace_sale', objectId: 'pt_1' });
    await expect(requestResync(db.prisma, boss, record, { kind: 'system', id: null })).rejects.toThrowError(/cannot be resynced/);
  });
});
