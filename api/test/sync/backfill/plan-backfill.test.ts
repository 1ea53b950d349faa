import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackfillRequestError } from '../../../src/sync/backfill/backfill-errors.ts';
import { BACKFILL_OBJECT_TYPES } from '../../../src/sync/backfill/backfill-object-types.ts';
import { localDayStart } from '../../../src/sync/backfill/local-day-start.ts';
import { MAX_SLICES_PER_OBJECT_TYPE, planSegments, startBackfill } from '../../../src/sync/backfill/plan-backfill.ts';
import { createOrganization } from '../../support/builders.ts';
import { createTenant, openBackfillDatabase, type BackfillDatabase } from './support/backfill-harness.ts';

async function refusalOf(promise: Promise<unknown>): Promise<BackfillRequestError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (caught: unknown) => caught,
  );
  if (!(error instanceof BackfillRequestError)) throw error;
  return error;
}

describe('calendar days in the integration\'s time zone', () => {
  it('a Chicago day starts at 06:00 UTC in winter and 05:00 UTC in summer', () => {
    expect(localDayStart('2025-01-31', 'America/Chicago').toISOString()).toBe('2025-01-31T06:00:00.000Z');
    expect(localDayStart('2025-07-01', 'America/Chicago').toISOString()).toBe('2025-07-01T05:00:00.000Z');
    // The day the clocks spring forward (at 02:00) still starts at its midnight.
    expect(localDayStart('2025-03-09', 'America/Chicago').toISOString()).toBe('2025-03-09T06:00:00.000Z');
    expect(localDayStart('2025-03-10', 'America/Chicago').toISOString()).toBe('2025-03-10T05:00:00.000Z');
    expect(localDayStart('2025-01-01', 'Asia/Tokyo').toISOString()).toBe('2024-12-31T15:00:00.000Z');
  });

  it('where a zone skips midnight, the day starts when the clocks land', () => {
    // Santiago sprang from 00:00 to 01:00 on 2024-09-08 (UTC-4 to UTC-3).
    expect(localDayStart('2024-09-08', 'America/Santiago').toISOString()).toBe('2024-09-08T04:00:00.000Z');
  });
});

describe('splitting a range into segments', () => {
  it('gives one segment per object type and local day, back to back, covering exactly the range', () => {
    const segments = planSegments('2025-01-06', '2025-01-09', 'America/Chicago');
    expect(segments).toHaveLength(3 * BACKFILL_OBJECT_TYPES.length);
    const charges = segments.filter((segment) => segment.objectType === 'charge');
    expect(charges.map((segment) => [segment.rangeStart.toISOString(), segment.rangeEnd.toISOString()])).toEqual([
      ['2025-01-06T06:00:00.000Z', '2025-01-07T06:00:00.000Z'],
      ['2025-01-07T06:00:00.000Z', '2025-01-08T06:00:00.000Z'],
      ['2025-01-08T06:00:00.000Z', '2025-01-09T06:00:00.000Z'],
    ]);
    expect(new Set(segments.map((segment) => segment.objectType))).toEqual(new Set(BACKFILL_OBJECT_TYPES));
  });

  it('widens the slices of a long range so each object type has a bounded number of segments', () => {
    const segments = planSegments('2024-01-01', '2025-01-01', 'America/Chicago').filter((segment) => segment.objectType === 'payout');
    expect(segments.length).toBeLessThanOrEqual(MAX_SLICES_PER_OBJECT_TYPE);
    expect(segments[0]?.rangeStart.toISOString()).toBe('2024-01-01T06:00:00.000Z');
    expect(segments.at(-1)?.rangeEnd.toISOString()).toBe('2025-01-01T06:00:00.000Z');
    for (let index = 1; index < segments.length; index += 1) {
      expect(segments[index]?.rangeStart.getTime()).toBe(segments[index - 1]?.rangeEnd.getTime());
    }
  });
});

describe('starting a backfill', () => {
  let database: BackfillDatabase;
  beforeAll(async () => {
    database = await openBackfillDatabase();
  });
  afterAll(() => database.close());

  it('stores a queued run and its segments together', async () => {
    const { org, integration } = await createTenant(database);
    const { run, resumed, segmentCount } = await startBackfill(database.db.prisma, { orgId: org.id, integrationId: integration.id, from: '2025-01-06', to: '2025-01-09' });

    expect(resumed).toBe(false);
    expect(run).toMatchObject({ orgId: org.id, integrationId: integration.id, status: 'queued' });
    expect(run.rangeStart.toISOString()).toBe('2025-01-06T06:00:00.000Z');
    expect(run.rangeEnd.toISOString()).toBe('2025-01-09T06:00:00.000Z');
    const stored = await database.db.prisma.backfillSegment.findMany({ where: { runId: run.id } });
    expect(stored).toHaveLength(segmentCount);
    expect(segmentCount).toBe(18);
    expect(stored.every((segment) => segment.status === 'queued' && segment.cursor === null && segment.listedCount === 0)).toBe(true);
  });

  it('a second request for the same range continues the unfinished run instead of starting another', async () => {
    const { org, integration } = await createTenant(database);
    const request = { orgId: org.id, integrationId: integration.id, from: '2025-02-01', to: '2025-02-03' };
    const first = await startBackfill(database.db.prisma, request);
    const second = await startBackfill(database.db.prisma, request);

    expect(second).toMatchObject({ resumed: true, segmentCount: first.segmentCount });
    expect(second.run.id).toBe(first.run.id);
    expect(await database.db.prisma.backfillRun.count({ where: { integrationId: integration.id } })).toBe(1);
  });

  it('queues a partial run again, so a new request retries what it is missing', async () => {
    const { org, integration } = await createTenant(database);
    const request = { orgId: org.id, integrationId: integration.id, from: '2025-03-01', to: '2025-03-02' };
    const first = await startBackfill(database.db.prisma, request);
    await database.db.prisma.backfillRun.update({ where: { id: first.run.id }, data: { status: 'partial', finishedAt: new Date() } });

    const again = await startBackfill(database.db.prisma, request);

    expect(again).toMatchObject({ resumed: true, run: { id: first.run.id, status: 'queued', finishedAt: null } });
  });

  it('refuses an empty or reversed range, a range ending in the future, and another organization\'s integration', async () => {
    const { org, integration } = await createTenant(database);
    const other = await createOrganization(database.db.prisma);
    const now = () => new Date('2025-06-15T12:00:00Z');

    await expect(startBackfill(database.db.prisma, { orgId: org.id, integrationId: integration.id, from: '2025-01-09', to: '2025-01-09' })).rejects.toThrow(
      /end date must be after the start date/,
    );
    await expect(startBackfill(database.db.prisma, { orgId: org.id, integrationId: integration.id, from: '2025-02-30', to: '2025-03-02' })).rejects.toThrow(
      /does not exist/,
    );
    expect(
      await refusalOf(startBackfill(database.db.prisma, { orgId: org.id, integrationId: integration.id, from: '2025-06-01', to: '2025-06-17' }, { now })),
    ).toMatchObject({ code: 'BACKFILL_RANGE_IN_FUTURE' });
    expect(await refusalOf(startBackfill(database.db.prisma, { orgId: other.id, integrationId: integration.id, from: '2025-01-01', to: '2025-01-02' }))).toMatchObject({
      code: 'BACKFILL_INTEGRATION_NOT_FOUND',
    });
    expect(await database.db.prisma.backfillRun.count({ where: { integrationId: integration.id } })).toBe(0);
  });
});
