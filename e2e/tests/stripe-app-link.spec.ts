import { randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { SIGNED_OUT } from './support/auth-state';
import { demoAdmin, demoOrgName } from './support/demo-data';
import { integrationRow } from './support/portal';
import { callStripeApp } from './support/stripe-app';

// The Stripe App's link, from the Dashboard to the portal: the app's settings ask the api for a
// single-use link (a request signed as Stripe signs it), and an admin confirms it on the portal's
// /link/stripe page.

function uniqueId(prefix: string): string {
  return `${prefix}_e2e${randomBytes(5).toString('hex')}`;
}

/** The portal path of a link the api made (same path whatever PORTAL_URL the run uses). */
async function newLinkPath(request: APIRequestContext, accountId: string, userId: string): Promise<string> {
  const { url } = (await callStripeApp(request, 'link', accountId, userId)) as { url: string };
  const parsed = new URL(url);
  expect(parsed.pathname).toBe('/link/stripe');
  return `${parsed.pathname}${parsed.search}`;
}

test.describe('signed out', () => {
  test.use({ storageState: SIGNED_OUT });

  test('a signed-out admin follows the link, signs in, comes back and links a new Stripe account', async ({ page }) => {
    const accountId = uniqueId('acct');
    const stripeUserId = uniqueId('usr');
    expect(await callStripeApp(page.request, 'settings', accountId, stripeUserId)).toEqual({ linked: false });
    const linkPath = await newLinkPath(page.request, accountId, stripeUserId);

    await page.goto(linkPath);
    await expect(page).toHaveURL((url) => url.pathname === '/signin' && url.searchParams.get('callbackUrl') === linkPath);
    await page.getByLabel('E-mail').fill(demoAdmin.email);
    await page.getByLabel('Password').fill(demoAdmin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL((url) => `${url.pathname}${url.search}` === linkPath);
    await expect(page.getByRole('heading', { name: 'Link a Stripe account' })).toBeVisible();
    await expect(page.getByText(accountId, { exact: true })).toBeVisible();
    await expect(page.getByLabel('Organization')).toHaveValue(/.+/);
    await expect(page.getByLabel('Organization').locator('option:checked')).toHaveText(demoOrgName);
    await page.getByLabel('Sage edition').selectOption('sage_pro');
    await page.getByLabel('Sage company id').fill('demo-pro');
    await page.getByLabel('Time zone').fill('America/Chicago');
    await page.getByLabel('Home currency').fill('USD');
    await page.getByRole('button', { name: 'Link this Stripe account' }).click();

    await expect(page.getByRole('status').filter({ hasText: 'Stripe account linked.' })).toContainText(`now posts into ${demoOrgName}`);

    // The Stripe App sees the account linked, and the Dashboard user who asked acting as the owner.
    expect(await callStripeApp(page.request, 'settings', accountId, stripeUserId)).toMatchObject({
      linked: true,
      organizationName: demoOrgName,
      connection: { sageEdition: 'sage_pro', companyName: 'demo-pro' },
      stripeUser: { linked: true, canResync: true, portalUserEmail: demoAdmin.email },
    });

    // The portal lists the new integration; the link does not work a second time.
    await page.goto('/');
    await expect(integrationRow(page, accountId)).toHaveCount(1);
    await page.goto(linkPath);
    await expect(page.getByRole('alert').filter({ hasText: 'This link cannot be used.' })).toContainText('already used');
  });
});

test('a further Stripe user of a linked account links only themselves', async ({ page }) => {
  const accountId = 'acct_demo_sagepro';
  const stripeUserId = uniqueId('usr');
  expect(await callStripeApp(page.request, 'settings', accountId, stripeUserId)).toMatchObject({ linked: true, stripeUser: { linked: false } });

  await page.goto(await newLinkPath(page.request, accountId, stripeUserId));
  await expect(page.getByText(accountId, { exact: true })).toBeVisible();
  await expect(page.getByText(`This account already posts into ${demoOrgName}`)).toBeVisible();
  await expect(page.getByLabel('Sage company id')).toHaveCount(0);
  await page.getByRole('button', { name: 'Link my Stripe user' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Your Stripe user is linked.' })).toBeVisible();
  expect(await callStripeApp(page.request, 'settings', accountId, stripeUserId)).toMatchObject({
    linked: true,
    stripeUser: { linked: true, canResync: true, portalUserEmail: demoAdmin.email },
  });
});

test('a link that is not valid says so and what to do', async ({ page }) => {
  await page.goto(`/link/stripe?token=${'A'.repeat(43)}`);
  await expect(page.getByRole('alert').filter({ hasText: 'This link cannot be used.' })).toContainText('get a new link');
});
