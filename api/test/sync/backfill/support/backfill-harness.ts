import type { Integration, Organization } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { createLogger } from '../../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../../src/queue/create-queue.ts';
import type { StripeReader } from '../../../../src/connectors/stripe/stripe-client.ts';
import { servedFixtureObjects } from '../../../../src/sandbox/stripe-fake/fixtures.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import type { RunBackfillDeps } from '../../../../src/sync/backfill/run-backfill.ts';
import { createIntegration, createOrganization } from '../../../support/builders.ts';

export const silentLog = createLogger({ level: 'silent' });

/** A database and a queue of the test's own, with pg-boss's timers off (the test fetches by hand). */
export type BackfillDatabase = { db: TestDatabase; boss: Queue; close(): Promise<void> };

export async function openBackfillDatabase(): Promise<BackfillDatabase> {
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log: silentLog, supervise: false, schedule: false });
  return {
    db,
    boss,
    async close() {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await db.dispose();
    },
  };
}

export async function createTenant(database: BackfillDatabase): Promise<{ org: Organization; integration: Integration }> {
  const org = await createOrganization(database.db.prisma);
  // America/Chicago: a day there starts at 06:00 UTC in winter.
  const integration = await createIntegration(database.db.prisma, org);
  return { org, integration };
}

export function runDeps(database: BackfillDatabase, reader: StripeReader): RunBackfillDeps {
  return { prisma: database.db.prisma, boss: database.boss, stripeFor: async () => reader, log: silentLog };
}

/** Every sync-object job in the queue, whatever its state. */
export async function syncJobs(database: BackfillDatabase): Promise<{ data: SyncObjectJobPayload; priority: number; singletonKey: string | null }[]> {
  const rows = await database.db.query<{ data: SyncObjectJobPayload; priority: number; singleton_key: string | null }>(
    `SELECT data, priority, singleton_key FROM pgboss.job WHERE name = $1`,
    [SYNC_OBJECT_QUEUE],
  );
  return rows.map((row) => ({ data: row.data, priority: row.priority, singletonKey: row.singleton_key }));
}

const examples = servedFixtureObjects();

/** 2025-01-06 00:00 in Chicago. */
export const HISTORY_START = Date.parse('2025-01-06T06:00:00Z') / 1000;
const DAY = 86_400;

export type History = { objects: LoadableStripeObject[]; chargeIds: string[]; refundIds: string[]; customerIds: string[]; outsideIds: string[] };

/**
 * Charges spread evenly over `days` Chicago days from 2025-01-06, a refund of every `refundEvery`th
 * charge an hour later (same day), a customer per day, and one charge just before and one just
 * after the range, which a backfill of those days must leave alone.
 */
export function stripeHistory({ charges, days, refundEvery = 5, prefix = 'bf' }: { charges: number; days: number; refundEvery?: number; prefix?: string }): History {
  const objects: LoadableStripeObject[] = [];
  const chargeIds: string[] = [];
  const refundIds: string[] = [];
  const customerIds: string[] = [];
  const spacing = Math.floor((days * DAY - 2 * 3600) / charges);
  for (let index = 0; index < charges; index += 1) {
    const id = `ch_${prefix}_${String(index).padStart(5, '0')}`;
    const created = HISTORY_START + index * spacing;
    objects.push({ ...structuredClone(examples.charge), id, created, balance_transaction: null, customer: null });
    chargeIds.push(id);
    if (index % refundEvery === 0) {
      const refundId = `re_${prefix}_${String(index).padStart(5, '0')}`;
      objects.push({ ...structuredClone(examples.refund), id: refundId, charge: id, created: created + 3600, balance_transaction: null });
      refundIds.push(refundId);
    }
  }
  for (let day = 0; day < days; day += 1) {
    const id = `cus_${prefix}_${day}`;
    objects.push({ ...structuredClone(examples.customer), id, created: HISTORY_START + day * DAY + 600 });
    customerIds.push(id);
  }
  const before = `ch_${prefix}_before`;
  const after = `ch_${prefix}_after`;
  objects.push({ ...structuredClone(examples.charge), id: before, created: HISTORY_START - 1, balance_transaction: null, customer: null });
  objects.push({ ...structuredClone(examples.charge), id: after, created: HISTORY_START + days * DAY, balance_transaction: null, customer: null });
  return { objects, chargeIds, refundIds, customerIds, outsideIds: [before, after] };
}

/** Object ids grouped by how many jobs each got. */
export function countById(jobs: { data: SyncObjectJobPayload }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.data.objectId, (counts.get(job.data.objectId) ?? 0) + 1);
  return counts;
}
