import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/password-hash.ts';
import { ZFieldMappingDefinition } from '../src/json/field-mapping.ts';
import { ZGlAccounts, ZGlConditions } from '../src/json/gl-rule.ts';
import { generateMasterKey, loadKeyring, openSecret } from '../src/secrets/envelope.ts';
import { connectionSecretContext } from '../src/secrets/secret-columns.ts';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, seedDemo } from '../src/seed/seed-demo.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.ts';

const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'k1' });
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.dispose();
});

async function snapshot() {
  const tables = ['organizations', 'users', 'memberships', 'integrations', 'connections', 'field_mappings', 'gl_rules'];
  const out: Record<string, unknown> = {};
  for (const table of tables) out[table] = await db.query(`SELECT * FROM "${table}" ORDER BY id`);
  return out;
}

describe('the demo seed', () => {
  it('creates the demo organization, its owner and one integration per Sage edition', async () => {
    const result = await seedDemo(db, { keyring });
    expect(result.created).toBe(true);

    const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: DEMO_ADMIN_EMAIL }, include: { memberships: true } });
    expect(await verifyPassword(DEMO_ADMIN_PASSWORD, admin.passwordHash!)).toBe(true);
    expect(await verifyPassword('wrong password', admin.passwordHash!)).toBe(false);
    expect(admin.memberships).toMatchObject([{ orgId: result.orgId, role: 'owner' }]);

    const integrations = await db.prisma.integration.findMany({ where: { orgId: result.orgId }, orderBy: { sourceAccountId: 'asc' } });
    expect(integrations.map((i) => [i.sourceAccountId, i.sageEdition, i.sageCompanyId])).toEqual([
      ['acct_demo_sage50', 'sage50', 'demo-50'],
      ['acct_demo_sage500', 'sage500', 'demo-500'],
      ['acct_demo_sagecloud', 'sage_accounting', 'demo-cloud'],
      ['acct_demo_sagepro', 'sage_pro', 'demo-pro'],
    ]);
  });

  it('gives every integration valid default mappings and GL rules ending in a catch-all', async () => {
    const integrations = await db.prisma.integration.findMany({ include: { fieldMappings: true, glRules: { orderBy: { position: 'asc' } } } });
    for (const integration of integrations) {
      expect(integration.fieldMappings.map((m) => m.documentType).sort()).toEqual(['cash_receipt', 'customer']);
      for (const mapping of integration.fieldMappings) {
        expect(mapping.isActive).toBe(true);
        expect(ZFieldMappingDefinition.safeParse(mapping.definition).success).toBe(true);
      }
      const last = integration.glRules.at(-1)!;
      expect(ZGlConditions.parse(last.conditions)).toEqual([]);
      expect(Object.keys(ZGlAccounts.parse(last.accounts)).sort()).toEqual(
        ['adjustments', 'bank', 'clearing', 'disputes', 'fees', 'fx', 'receivables', 'refunds', 'revenue', 'sales_tax'],
      );
    }
  });

  it('stores the demo API keys encrypted and readable with the master key', async () => {
    const connection = await db.prisma.connection.findFirstOrThrow({ where: { provider: 'sage500' } });
    expect(JSON.stringify(connection.apiKey)).not.toContain('demo-500-agent-key');
    expect(openSecret(keyring, connection.apiKey, connectionSecretContext(connection, 'apiKey'))).toBe('demo-500-agent-key');
  });

  it('changes nothing when run a second time', async () => {
    const before = await snapshot();
    const again = await seedDemo(db, { keyring });
    expect(again.created).toBe(false);
    expect(await snapshot()).toEqual(before);
  });
});
