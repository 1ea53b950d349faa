import { randomBytes } from 'node:crypto';
import { generateMasterKey, loadKeyring, type Integration, type MembershipRole, type Organization, type PrismaClient, type User } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import Stripe from 'stripe';
import { createSageConnectorFactory } from '../../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../../src/connectors/stripe/stripe-request-budget.ts';
import { buildServer, type ApiServer } from '../../../src/http/server.ts';
import { createLogger, type Logger } from '../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../src/queue/create-queue.ts';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake } from '../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import { createSyncServices } from '../../../src/sync/sync-services.ts';
import type { AppRouter } from '../../../src/trpc/root-router.ts';
import { addMember, createUser, sessionCookieFor } from '../../support/builders.ts';
import { TEST_SESSION_SECRET } from '../../support/test-api.ts';

// A real api over real HTTP for the Stripe App backend, optionally reading Stripe from the Stripe
// fake with the production reader (sync-services' `stripeFor`), plus the signed requests the
// Dashboard sends and the tRPC client the portal's link page uses.

export const APP_SECRET = 'absec_test_only_secret';
/**
 * A budget, not an expectation: a fresh database with every migration, a queue and a server (and,
 * for the end-to-end test, the Sage sandbox, the Stripe fake and a worker) on a shared 2-core
 * machine can take longer than the default hook timeout.
 */
export const STACK_START_TIMEOUT_MS = 120_000;
export const PORTAL_ORIGIN = 'http://portal.test:3000';

export type AppStack = {
  db: TestDatabase;
  boss: Queue;
  server: ApiServer;
  url: string;
  /** The Stripe fake, when the stack reads Stripe. */
  fake: StripeFake | null;
  close(): Promise<void>;
};

export async function startAppStack({ withStripe = false, log = createLogger({ level: 'silent' }) }: { withStripe?: boolean; log?: Logger } = {}): Promise<AppStack> {
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  let fake: StripeFake | null = null;
  let stripeFor = null;
  if (withStripe) {
    fake = buildStripeFake();
    const { url: fakeUrl } = await fake.listen(0);
    const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'test-1' });
    stripeFor = createSyncServices({
      prisma: db.prisma,
      keyring,
      log,
      stripe: { platformApiKey: 'sk_test_stripe_app', apiBase: fakeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 1_000 }) },
      sageConnectorFor: createSageConnectorFactory({ prisma: db.prisma, keyring, oauth: {}, rateLimiter: new InMemoryTokenBucket({ perMinute: 600 }) }),
    }).stripeFor;
  }
  const server = await buildServer({ env: { NEXTAUTH_SECRET: TEST_SESSION_SECRET, PORTAL_ORIGIN, STRIPE_APP_SECRET: APP_SECRET }, db, boss, log, stripeFor });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    db,
    boss,
    server,
    url,
    fake,
    async close() {
      await server.close();
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await fake?.close();
      await db.dispose();
    },
  };
}

export function unique(): string {
  return randomBytes(5).toString('hex');
}

export type Signing = { accountId: string; userId: string; secret?: string; timestamp?: number };

/** The exact JSON the Dashboard sends and Stripe signs: route fields, then user_id, then account_id. */
export function signedRequest(fields: Record<string, string>, signing: Signing) {
  const payload = JSON.stringify({ ...fields, user_id: signing.userId, account_id: signing.accountId });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: signing.secret ?? APP_SECRET, ...(signing.timestamp ? { timestamp: signing.timestamp } : {}) });
  return { payload, header };
}

export type AppResponse = { status: number; body: Record<string, unknown> };

export async function postRaw(url: string, route: string, body: string, header: string | null): Promise<AppResponse> {
  const response = await fetch(`${url}/stripe-app/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function callApp(url: string, route: string, fields: Record<string, string>, signing: Signing): Promise<AppResponse> {
  const { payload, header } = signedRequest(fields, signing);
  return postRaw(url, route, payload, header);
}

/** An organization with a Stripe integration for `accountId`. */
export async function linkedTenant(prisma: PrismaClient, accountId = `acct_${unique()}`): Promise<{ org: Organization; integration: Integration }> {
  const name = `Tenant ${unique()}`;
  const org = await prisma.organization.create({ data: { name, slug: name.toLowerCase().replace(/\s+/g, '-') } });
  const integration = await prisma.integration.create({
    data: { orgId: org.id, name: `${name} Stripe`, source: 'stripe', sourceAccountId: accountId, sageEdition: 'sage_pro', sageCompanyId: 'demo-pro', timeZone: 'America/Chicago', homeCurrency: 'USD' },
  });
  return { org, integration };
}

/** A portal member with `role`, and the Dashboard user `stripeUserId` linked to them (as a confirmed link leaves it). */
export async function linkedStripeUser(prisma: PrismaClient, tenant: { org: Organization; integration: Integration }, stripeUserId: string, role: MembershipRole): Promise<User> {
  const user = await createUser(prisma);
  await addMember(prisma, tenant.org, user, role);
  await prisma.stripeAppUserLink.create({ data: { orgId: tenant.org.id, integrationId: tenant.integration.id, stripeUserId, userId: user.id } });
  return user;
}

/** The portal's tRPC client for a signed-in user (through the portal's proxy the cookie arrives unchanged). */
export async function portalClient(url: string, user: Pick<User, 'id' | 'email' | 'name'>) {
  const cookie = await sessionCookieFor(user);
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: () => ({ cookie }) })] });
}

/** The `token` query parameter of a link URL the backend answered. */
export function tokenOf(linkUrl: string): string {
  const token = new URL(linkUrl).searchParams.get('token');
  if (!token) throw new Error(`no token in ${linkUrl}`);
  return token;
}

export function loadStripe(stack: AppStack, accountId: string, objects: readonly LoadableStripeObject[]): void {
  if (!stack.fake) throw new Error('this stack was started without the Stripe fake');
  stack.fake.store.load(objects, accountId);
}
