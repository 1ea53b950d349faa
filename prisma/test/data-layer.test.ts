import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../generated/client/client.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.ts';

let db: TestDatabase;
let orgId: string;
let integrationId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const org = await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } });
  orgId = org.id;
  const integration = await db.prisma.integration.create({
    data: {
      orgId,
      name: 'Acme Stripe',
      source: 'stripe',
      sourceAccountId: 'acct_acme',
      sageEdition: 'sage50',
      sageCompanyId: 'acme-50',
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
    },
  });
  integrationId = integration.id;
});
afterAll(async () => {
  await db.dispose();
});

function isUniqueViolation(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

describe('the data layer', () => {
  it(`runs on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`, async () => {
    const [row] = await db.query<{ version: string }>('SELECT version()');
    expect(row!.version).toMatch(/PostgreSQL/);
    expect(db.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  });

  it('stores a received event once per source and event id', async () => {
    const event = {
      orgId,
      integrationId,
      source: 'stripe' as const,
      eventId: 'evt_1',
      type: 'charge.succeeded',
      objectType: 'charge',
      objectId: 'ch_1',
      sourceCreatedAt: new Date('2026-01-31T23:30:00-06:00'),
      payload: { id: 'evt_1', data: { object: { id: 'ch_1', amount: 1999 } } },
    };
    await db.prisma.receivedEvent.create({ data: event });
    const duplicate = await db.prisma.receivedEvent.create({ data: event }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(await db.prisma.receivedEvent.count({ where: { eventId: 'evt_1' } })).toBe(1);
    const stored = await db.prisma.receivedEvent.findFirstOrThrow({ where: { eventId: 'evt_1' } });
    expect(stored.payload).toEqual(event.payload);
  });

  it('keeps one sync record per source object', async () => {
    const data = { orgId, integrationId, sourceObjectType: 'charge' as const, sourceObjectId: 'ch_1' };
    await db.prisma.syncRecord.create({ data });
    const duplicate = await db.prisma.syncRecord.create({ data }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
  });

  it('round-trips amounts beyond 32 bits exactly, as integers', async () => {
    // 25,000,000.00 USD in cents, and a VND amount past 2^40: neither fits an int4, both must stay exact.
    for (const [id, amount] of [['ch_big_usd', 2_500_000_000n], ['ch_big_vnd', 1_234_567_890_123n]] as const) {
      await db.prisma.syncRecord.create({
        data: { orgId, integrationId, sourceObjectType: 'charge', sourceObjectId: id, amountMinor: amount, currency: 'USD' },
      });
      const stored = await db.prisma.syncRecord.findUniqueOrThrow({
        where: { integrationId_sourceObjectType_sourceObjectId: { integrationId, sourceObjectType: 'charge', sourceObjectId: id } },
      });
      expect(stored.amountMinor).toBe(amount);
    }
  });

  it('numbers attempts uniquely per sync record and keeps them in order', async () => {
    const record = await db.prisma.syncRecord.create({ data: { orgId, integrationId, sourceObjectType: 'refund', sourceObjectId: 're_1' } });
    await db.prisma.syncAttempt.createMany({
      data: [
        { orgId, syncRecordId: record.id, number: 1, outcome: 'retry_scheduled', error: { code: 'SAGE_RATE_LIMITED', retryable: true } },
        { orgId, syncRecordId: record.id, number: 2, outcome: 'succeeded' },
      ],
    });
    const again = await db.prisma.syncAttempt
      .create({ data: { orgId, syncRecordId: record.id, number: 2, outcome: 'failed' } })
      .catch((error: unknown) => error);
    expect(isUniqueViolation(again)).toBe(true);
    const attempts = await db.prisma.syncAttempt.findMany({ where: { syncRecordId: record.id }, orderBy: { number: 'asc' } });
    expect(attempts.map((a) => a.outcome)).toEqual(['retry_scheduled', 'succeeded']);
  });

  it('refuses a second integration for the same Stripe account', async () => {
    const other = await db.prisma.organization.create({ data: { name: 'Other', slug: 'other' } });
    const clash = await db.prisma.integration
      .create({
        data: {
          orgId: other.id,
          name: 'Clash',
          source: 'stripe',
          sourceAccountId: 'acct_acme',
          sageEdition: 'sage500',
          sageCompanyId: 'x',
          timeZone: 'UTC',
          homeCurrency: 'USD',
        },
      })
      .catch((error: unknown) => error);
    expect(isUniqueViolation(clash)).toBe(true);
  });

  it('deduplicates outbox e-mails by organization, cause and recipient', async () => {
    const email = { orgId, toAddress: 'ap@acme.example', subject: 'Sync failed', textBody: 'ch_1 failed', dedupeKey: 'sync_failure:ch_1' };
    await db.prisma.emailOutbox.create({ data: email });
    const duplicate = await db.prisma.emailOutbox.create({ data: email }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
  });

  it('removes an organization with everything it owns', async () => {
    const org = await db.prisma.organization.create({ data: { name: 'Gone', slug: 'gone' } });
    const integration = await db.prisma.integration.create({
      data: { orgId: org.id, name: 'g', source: 'stripe', sourceAccountId: 'acct_gone', sageEdition: 'sage50', sageCompanyId: 'g', timeZone: 'UTC', homeCurrency: 'USD' },
    });
    await db.prisma.syncRecord.create({ data: { orgId: org.id, integrationId: integration.id, sourceObjectType: 'charge', sourceObjectId: 'ch_gone' } });
    await db.prisma.organization.delete({ where: { id: org.id } });
    expect(await db.prisma.syncRecord.count({ where: { orgId: org.id } })).toBe(0);
    expect(await db.prisma.integration.count({ where: { orgId: org.id } })).toBe(0);
  });
});
