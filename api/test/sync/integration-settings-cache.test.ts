import { defaultGlRules, generateMasterKey, loadKeyring, type Integration } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageConnectorFactory } from '../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../src/connectors/sage/http/rate-limiter.ts';
import { SageError } from '../../src/connectors/sage/sage-error.ts';
import { InMemoryRequestBudget } from '../../src/connectors/stripe/stripe-request-budget.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { IntegrationSettingsCache } from '../../src/sync/integration-settings-cache.ts';
import { activeMappingDefinition, loadGlRules } from '../../src/sync/processors/processor-context.ts';
import { createSyncServices } from '../../src/sync/sync-services.ts';
import { connectSageSandbox } from '../support/sage-connections.ts';

// Settings every job reads (Sage connection, GL rules, field mappings) are reused while they are
// unchanged, and an edit applies to the very next job. A job reads its integration afresh, so
// "the next job" is a fresh integration object here.

const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'k1' });
const SANDBOX_URL = 'http://127.0.0.1:9';

let db: TestDatabase;
let integrationId: string;
let orgId: string;

/** The integration as the next job reads it. */
const nextJob = async (): Promise<Integration> => db.prisma.integration.findUniqueOrThrow({ where: { id: integrationId } });

beforeAll(async () => {
  db = await createTestDatabase();
  orgId = (await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } })).id;
  const integration = await db.prisma.integration.create({
    data: { orgId, name: 'Acme → sage500', source: 'stripe', sourceAccountId: 'acct_acme', sageEdition: 'sage500', sageCompanyId: 'demo-500', timeZone: 'America/Chicago', homeCurrency: 'USD' },
  });
  integrationId = integration.id;
  await connectSageSandbox(db.prisma, keyring, SANDBOX_URL, integration);
  await db.prisma.glRule.createMany({
    data: defaultGlRules('sage500').map((rule, position) => ({ orgId, integrationId, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
  });
});
afterAll(async () => {
  await db.dispose();
});

function services(sageConnectorFor = createSageConnectorFactory({ prisma: db.prisma, keyring, rateLimiter: new InMemoryTokenBucket({ perMinute: 600 }), oauth: {} })) {
  return createSyncServices({
    prisma: db.prisma,
    keyring,
    log: createLogger({ level: 'silent' }),
    stripe: { platformApiKey: 'sk_test_settings', rateLimiter: new InMemoryRequestBudget({ perSecond: 10 }) },
    sageConnectorFor,
  });
}

describe('integration settings reused between jobs', () => {
  it('read unchanged settings once, however many jobs ask', async () => {
    const cache = new IntegrationSettingsCache(db.prisma);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return ['the rules'];
    };
    for (let job = 0; job < 5; job += 1) expect(await cache.glRules(await nextJob(), load)).toEqual(['the rules']);
    expect(loads).toBe(1);
  });

  it('apply an edited GL rule to the very next job', async () => {
    const before = await loadGlRules(db.prisma, await nextJob());
    const first = before[0]!;
    await db.prisma.glRule.update({ where: { id: first.id }, data: { accounts: { ...(first.accounts as object), clearing: '1199-00' } } });

    const after = await loadGlRules(db.prisma, await nextJob());

    expect((after[0]!.accounts as { clearing: string }).clearing).toBe('1199-00');
    await db.prisma.glRule.update({ where: { id: first.id }, data: { accounts: first.accounts as object } });
  });

  it('apply a new active mapping version to the very next job, and the default again once it is gone', async () => {
    const byDefault = await activeMappingDefinition(db.prisma, await nextJob(), 'cash_receipt');
    const edited = { fields: [{ target: 'memo', source: 'description', transforms: [] }] };
    await db.prisma.fieldMapping.create({ data: { orgId, integrationId, documentType: 'cash_receipt', version: 2, isActive: true, definition: edited } });

    expect(await activeMappingDefinition(db.prisma, await nextJob(), 'cash_receipt')).toEqual(edited);

    await db.prisma.fieldMapping.deleteMany({ where: { integrationId } });
    expect(await activeMappingDefinition(db.prisma, await nextJob(), 'cash_receipt')).toEqual(byDefault);
  });

  it('reuse the Sage connector while the connection is unchanged, and stop using it once Sage needs reconnecting', async () => {
    const sync = services();
    const first = await sync.sageFor(await nextJob());
    expect(await sync.sageFor(await nextJob())).toBe(first);

    await db.prisma.connection.update({ where: { integrationId_provider: { integrationId, provider: 'sage500' } }, data: { status: 'needs_reauth' } });
    try {
      await expect(sync.sageFor(await nextJob())).rejects.toThrowError(SageError);
      await expect(sync.sageFor(await nextJob())).rejects.toThrowError(/reconnected/);
    } finally {
      await db.prisma.connection.update({ where: { integrationId_provider: { integrationId, provider: 'sage500' } }, data: { status: 'connected' } });
    }
    const reconnected = await sync.sageFor(await nextJob());
    expect(reconnected).not.toBe(first);
  });

  it('never hand one set of services the connector (and so the rate budget) of another on the same database', async () => {
    const one = services();
    const other = services();
    const integration = await nextJob();
    expect(await one.sageFor(integration)).not.toBe(await other.sageFor(integration));
  });
});
