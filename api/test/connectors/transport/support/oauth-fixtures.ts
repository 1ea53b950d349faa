import { randomBytes } from 'node:crypto';
import { generateMasterKey, loadKeyring, PrismaClient, type Keyring } from '@sagesync/db';
import { openSecondClient, type TestDatabase } from '@sagesync/db/testing';
import type { OAuthEndpoints } from '../../../../src/connectors/sage/oauth/oauth-client.ts';
import { DEMO_CLIENT, pressConsentButton } from '../../../sandbox/sage/support/sandbox-harness.ts';

export function testKeyring(): Keyring {
  return loadKeyring({ key: generateMasterKey(), keyId: 'test-key' });
}

const unique = () => randomBytes(4).toString('hex');

/** An organization with one Stripe → Sage Pro integration on the sandbox's demo-pro company. */
export async function createSageProIntegration(prisma: PrismaClient) {
  const org = await prisma.organization.create({ data: { name: `Org ${unique()}`, slug: `org-${unique()}` } });
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: 'Stripe to Sage Pro',
      source: 'stripe',
      sourceAccountId: `acct_${unique()}`,
      sageEdition: 'sage_pro',
      sageCompanyId: 'demo-pro',
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
    },
  });
  return { org, integration };
}

/** The Sage Pro OAuth endpoints as configuration would give them, pointed at the sandbox. */
export function sageProEndpoints(sandboxUrl: string, overrides: Partial<OAuthEndpoints> = {}): OAuthEndpoints {
  return {
    authorizeUrl: `${sandboxUrl}/sagepro/oauth/authorize`,
    tokenUrl: `${sandboxUrl}/sagepro/oauth/token`,
    clientId: DEMO_CLIENT.clientId,
    clientSecret: DEMO_CLIENT.clientSecret,
    ...overrides,
  };
}

export const REDIRECT_URI = DEMO_CLIENT.redirectUri;

/** A fetch that counts what it sends to the token endpoint, by grant type. */
export function countingFetch() {
  const grants: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/oauth/token')) grants.push(new URLSearchParams(String(init?.body ?? '')).get('grant_type') ?? 'unknown');
    return fetch(input, init);
  };
  return {
    fetch: wrapped,
    refreshCalls: () => grants.filter((grant) => grant === 'refresh_token').length,
    codeExchanges: () => grants.filter((grant) => grant === 'authorization_code').length,
  };
}

/** The admin's browser: opens the authorize URL, presses Allow, and lands on the callback. */
export async function consentAsAdmin(sandboxUrl: string, authorizeUrl: string): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const consentId = /name="consent_id" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action || !consentId) throw new Error(`the consent page answered ${page.status} without its form`);
  return pressConsentButton(sandboxUrl, action, consentId, 'allow');
}

/** A second, independent handle on the same database, as another worker process would hold. */
export const openSecondHandle = (db: TestDatabase) => openSecondClient(db);
