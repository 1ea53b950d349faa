import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { demoAdmin, demoOrgName } from './demo-data';

export type PostingMode = 'per_transaction' | 'payout_summary';

export function otherPostingMode(mode: PostingMode): PostingMode {
  return mode === 'per_transaction' ? 'payout_summary' : 'per_transaction';
}

/** Signs in through the real form. Specs start signed in already (see auth-state.ts); use this only where signing in is the point. */
export async function signInAsDemoAdmin(page: Page): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('E-mail').fill(demoAdmin.email);
  await page.getByLabel('Password').fill(demoAdmin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('table', { name: `Integrations of ${demoOrgName}` })).toBeVisible();
}

/** The dashboard, as the demo admin the run signed in once (global-setup). */
export async function openDashboard(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByRole('table', { name: `Integrations of ${demoOrgName}` })).toBeVisible();
}

/** The integrations table row for one Stripe account. */
export function integrationRow(page: Page, stripeAccount: string) {
  // Matched on the exact cell: acct_demo_sage50 is a prefix of acct_demo_sage500.
  return page
    .getByRole('table', { name: `Integrations of ${demoOrgName}` })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: stripeAccount, exact: true }) });
}

interface DemoIntegration {
  orgId: string;
  integrationId: string;
  name: string;
  postingMode: PostingMode;
}

async function trpcQuery<T>(request: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await request.get(`/api/trpc/${path}${query}`);
  expect(response.status(), `GET /api/trpc/${path}`).toBe(200);
  const body = (await response.json()) as { result: { data: T } };
  return body.result.data;
}

/** Every integration of the demo organization as the api lists it (other specs may add some). */
export async function listDemoOrgIntegrations(request: APIRequestContext) {
  const viewer = await trpcQuery<{ memberships: Array<{ orgId: string; orgName: string }> }>(request, 'viewer.get');
  const org = viewer.memberships.find((m) => m.orgName === demoOrgName);
  if (!org) throw new Error(`the demo admin is not a member of ${demoOrgName}`);
  const integrations = await trpcQuery<Array<{ id: string; name: string; sourceAccountId: string; postingMode: PostingMode }>>(
    request,
    'integration.list',
    { orgId: org.orgId },
  );
  return { org, integrations };
}

/**
 * Reads an integration as the api stores it, through the same proxied tRPC endpoint the browser
 * uses, with the signed-in page's cookies.
 */
export async function readDemoIntegration(request: APIRequestContext, stripeAccount: string): Promise<DemoIntegration> {
  const { org, integrations } = await listDemoOrgIntegrations(request);
  const integration = integrations.find((i) => i.sourceAccountId === stripeAccount);
  if (!integration) throw new Error(`no integration for ${stripeAccount} in ${demoOrgName}`);
  return { orgId: org.orgId, integrationId: integration.id, name: integration.name, postingMode: integration.postingMode };
}

/** A legitimate same-origin JSON mutation, as the portal itself sends it. */
export async function setPostingModeDirectly(
  request: APIRequestContext,
  baseURL: string,
  integration: DemoIntegration,
  postingMode: PostingMode,
): Promise<void> {
  const response = await request.post('/api/trpc/integration.updatePostingMode', {
    headers: { Origin: new URL(baseURL).origin, 'Content-Type': 'application/json' },
    data: { orgId: integration.orgId, integrationId: integration.integrationId, postingMode },
  });
  expect(response.status(), await response.text()).toBe(200);
}
