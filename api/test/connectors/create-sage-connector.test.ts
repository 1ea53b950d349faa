import { generateMasterKey, loadKeyring, type SageEdition } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageConnectorFactory } from '../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../src/connectors/sage/http/rate-limiter.ts';
import { SageError } from '../../src/connectors/sage/sage-error.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/sage/support/sandbox-harness.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../support/sage-connections.ts';

const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'k1' });
const COMPANIES: Record<SageEdition, string> = { sage500: 'demo-500', sage_pro: 'demo-pro', sage50: 'demo-50', sage_accounting: 'demo-cloud' };
const CLEARING: Record<SageEdition, string> = { sage500: '1150-00', sage_pro: '1150', sage50: '10500', sage_accounting: '1210' };
const REVENUE: Record<SageEdition, string> = { sage500: '4000-00', sage_pro: '4000', sage50: '40000', sage_accounting: '4000' };

let db: TestDatabase;
let sandbox: RunningSandbox;
let orgId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startSandbox({ now: Date.now });
  orgId = (await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } })).id;
});
afterAll(async () => {
  await sandbox.close();
  await db.dispose();
});

function factory() {
  return createSageConnectorFactory({ prisma: db.prisma, keyring, rateLimiter: new InMemoryTokenBucket({ perMinute: 6_000 }), oauth: sandboxOAuthEndpoints(sandbox.url) });
}

async function integrationFor(edition: SageEdition) {
  return db.prisma.integration.create({
    data: { orgId, name: `Acme → ${edition}`, source: 'stripe', sourceAccountId: `acct_${edition}`, sageEdition: edition, sageCompanyId: COMPANIES[edition], timeZone: 'America/Chicago', homeCurrency: 'USD' },
  });
}

describe('the Sage connector factory', () => {
  for (const edition of ['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const) {
    it(`builds a working ${edition} connector from the integration's stored connection`, async () => {
      const integration = await integrationFor(edition);
      await connectSageSandbox(db.prisma, keyring, sandbox.url, integration);
      const sage = await factory()(integration);
      expect(sage.edition).toBe(edition);
      const posted = await sage.createJournalEntry({
        reference: `po_factory_${edition}`,
        date: '2026-01-31',
        currency: 'USD',
        memo: 'factory check',
        lines: [
          { account: CLEARING[edition], debitMinor: 1999n, creditMinor: 0n },
          { account: REVENUE[edition], debitMinor: 0n, creditMinor: 1999n },
        ],
      });
      const [stored] = await sandbox.documents(COMPANIES[edition], { reference: `po_factory_${edition}` });
      expect(stored).toMatchObject({ id: posted.id, amount: '19.99' });
    });
  }

  it('refuses an integration without a Sage connection, telling the admin to connect Sage', async () => {
    const integration = await db.prisma.integration.create({
      data: { orgId, name: 'Unconnected', source: 'stripe', sourceAccountId: 'acct_none', sageEdition: 'sage50', sageCompanyId: 'demo-50', timeZone: 'UTC', homeCurrency: 'USD' },
    });
    await expect(factory()(integration)).rejects.toThrowError(SageError);
    await expect(factory()(integration)).rejects.toThrowError(/connect Sage in the portal/);
  });
});
