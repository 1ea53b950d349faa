import type { ConnectionProvider, SageEdition } from '../../generated/client/client.ts';
import { hashPassword } from '../auth/password-hash.ts';
import type { Database } from '../database.ts';
import { sealSecret, type Keyring } from '../secrets/envelope.ts';
import { connectionSecretContext } from '../secrets/secret-columns.ts';
import { defaultFieldMappings, defaultGlRules } from './default-templates.ts';

export const DEMO_ORG_SLUG = 'demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.example';
export const DEMO_ADMIN_PASSWORD = 'demo-admin-2026';

/** One integration per Sage edition, matching the Sage sandbox's demo companies. */
export const DEMO_INTEGRATIONS: {
  name: string;
  stripeAccountId: string;
  sageEdition: SageEdition;
  sageCompanyId: string;
  timeZone: string;
  homeCurrency: string;
}[] = [
  { name: 'Demo Stripe → Sage 500', stripeAccountId: 'acct_demo_sage500', sageEdition: 'sage500', sageCompanyId: 'demo-500', timeZone: 'America/Chicago', homeCurrency: 'USD' },
  { name: 'Demo Stripe → Sage Pro', stripeAccountId: 'acct_demo_sagepro', sageEdition: 'sage_pro', sageCompanyId: 'demo-pro', timeZone: 'America/Chicago', homeCurrency: 'USD' },
  { name: 'Demo Stripe → Sage 50', stripeAccountId: 'acct_demo_sage50', sageEdition: 'sage50', sageCompanyId: 'demo-50', timeZone: 'America/New_York', homeCurrency: 'USD' },
  { name: 'Demo Stripe → Sage Accounting', stripeAccountId: 'acct_demo_sagecloud', sageEdition: 'sage_accounting', sageCompanyId: 'demo-cloud', timeZone: 'America/Los_Angeles', homeCurrency: 'USD' },
];

/** API keys the local Stripe fake and Sage sandbox accept for the demo; stored encrypted like real ones. */
const DEMO_API_KEYS: Partial<Record<ConnectionProvider, string>> = {
  stripe: 'sk_test_demo_local',
  sage500: 'demo-500-agent-key',
};

export type DemoSeedResult = { orgId: string; adminUserId: string; integrationIds: string[]; created: boolean };

/** Where the demo's Sage 500 agent is: the local Sage sandbox (`npm start` runs it on port 4010). */
export const DEFAULT_DEMO_SAGE_URL = 'http://localhost:4010';

/** Seeds the demo organization. Idempotent: a second run finds everything and changes nothing. */
export async function seedDemo(db: Database, { keyring, sageUrl = DEFAULT_DEMO_SAGE_URL }: { keyring: Keyring; sageUrl?: string }): Promise<DemoSeedResult> {
  const existingAdmin = await db.prisma.user.findUnique({ where: { email: DEMO_ADMIN_EMAIL } });
  const passwordHash = existingAdmin?.passwordHash ?? (await hashPassword(DEMO_ADMIN_PASSWORD));

  return db.prisma.$transaction(async (tx) => {
    let created = false;
    let org = await tx.organization.findUnique({ where: { slug: DEMO_ORG_SLUG } });
    if (!org) {
      org = await tx.organization.create({ data: { name: 'Demo Company', slug: DEMO_ORG_SLUG } });
      created = true;
    }
    const admin =
      existingAdmin ??
      (await tx.user.create({ data: { email: DEMO_ADMIN_EMAIL, name: 'Demo Admin', passwordHash, emailVerified: new Date() } }));
    await tx.membership.upsert({
      where: { orgId_userId: { orgId: org.id, userId: admin.id } },
      create: { orgId: org.id, userId: admin.id, role: 'owner' },
      update: {},
    });

    const integrationIds: string[] = [];
    for (const demo of DEMO_INTEGRATIONS) {
      let integration = await tx.integration.findUnique({
        where: { source_sourceAccountId: { source: 'stripe', sourceAccountId: demo.stripeAccountId } },
      });
      if (!integration) {
        integration = await tx.integration.create({
          data: {
            orgId: org.id,
            name: demo.name,
            source: 'stripe',
            sourceAccountId: demo.stripeAccountId,
            sageEdition: demo.sageEdition,
            sageCompanyId: demo.sageCompanyId,
            timeZone: demo.timeZone,
            homeCurrency: demo.homeCurrency,
          },
        });
        created = true;
      }
      integrationIds.push(integration.id);

      for (const mapping of defaultFieldMappings(demo.sageEdition)) {
        const existing = await tx.fieldMapping.findFirst({
          where: { integrationId: integration.id, documentType: mapping.documentType },
        });
        if (!existing) {
          await tx.fieldMapping.create({
            data: {
              orgId: org.id,
              integrationId: integration.id,
              documentType: mapping.documentType,
              version: 1,
              isActive: true,
              definition: mapping.definition,
            },
          });
        }
      }

      if ((await tx.glRule.count({ where: { integrationId: integration.id } })) === 0) {
        await tx.glRule.createMany({
          data: defaultGlRules(demo.sageEdition).map((rule, position) => ({
            orgId: org.id,
            integrationId: integration.id,
            position,
            name: rule.name,
            conditions: rule.conditions,
            accounts: rule.accounts,
          })),
        });
      }

      for (const provider of ['stripe', demo.sageEdition] as ConnectionProvider[]) {
        const apiKey = DEMO_API_KEYS[provider];
        if (!apiKey) continue; // OAuth editions connect through their consent screen, not the seed.
        const existing = await tx.connection.findUnique({
          where: { integrationId_provider: { integrationId: integration.id, provider } },
        });
        if (existing) continue;
        await tx.connection.create({
          data: {
            orgId: org.id,
            integrationId: integration.id,
            provider,
            authKind: 'api_key',
            externalAccountId: provider === 'stripe' ? demo.stripeAccountId : demo.sageCompanyId,
            // Sage 500 is reached through its on-premises agent; in the demo that is the sandbox.
            baseUrl: provider === 'sage500' ? `${sageUrl.replace(/\/$/, '')}/sage500/${demo.sageCompanyId}` : null,
            apiKey: sealSecret(keyring, apiKey, connectionSecretContext({ orgId: org.id, provider }, 'apiKey')),
          },
        });
      }
    }
    return { orgId: org.id, adminUserId: admin.id, integrationIds, created };
  });
}
