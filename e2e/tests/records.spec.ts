import { expect, test, type APIRequestContext } from '@playwright/test';
import { SIGNED_OUT } from './support/auth-state';
import { demoOrgName } from './support/demo-data';
import { callStripeApp } from './support/stripe-app';
import { deliverWebhook, loadIntoStripe, paidManualPayout, stripeId, succeededCharge } from './support/stripe-events';

// The portal pages the Stripe App links to: a charge's (or payout's) sync record, and the queue of
// items held for review. The data is made as Stripe makes it: objects in the Stripe fake, a signed
// webhook to the api, and the worker posting to the Sage sandbox (or holding the item).

// The one demo integration the seed connects to Sage (its agent key); the OAuth editions need consent first.
const account = 'acct_demo_sage500';
const dashboardUser = 'usr_e2e_records';

/** The Stripe App's view of a charge, once the worker has finished with it. */
async function syncedChargeStatus(request: APIRequestContext, chargeId: string) {
  type Status = { charge: { status: string; sageDocumentNumber?: string; portalUrl: string } };
  let latest: Status | null = null;
  await expect
    .poll(
      async () => {
        latest = (await callStripeApp(request, 'charge-status', account, dashboardUser, { object_id: chargeId })) as Status;
        return latest.charge.status;
      },
      { message: `charge ${chargeId} reaching Sage`, timeout: 30_000 },
    )
    .toBe('synced');
  return latest!.charge;
}

test('a synced charge’s record page, opened from the Stripe App’s link, shows its status, Sage document and attempts', async ({ page }, testInfo) => {
  const { charge, objects } = succeededCharge(12_345, 'usd');
  await loadIntoStripe(page.request, account, objects);
  await deliverWebhook(page.request, account, 'charge.succeeded', charge);
  const shown = await syncedChargeStatus(page.request, charge.id);

  const link = new URL(shown.portalUrl);
  expect(link.pathname).toMatch(/^\/records\/[^/]+$/);
  await page.goto(`${link.pathname}${link.search}`);

  await expect(page.getByRole('heading', { name: `Charge ${charge.id}` })).toBeVisible();
  await expect(page.getByLabel('Status: Synced')).toBeVisible();
  await expect(page.getByText('$123.45')).toBeVisible();
  await expect(page.getByText(shown.sageDocumentNumber!, { exact: true })).toBeVisible();
  const attempts = page.getByRole('table', { name: 'Attempts' });
  await expect(attempts.getByRole('row')).toHaveCount(2);
  await expect(attempts.getByRole('row').nth(1)).toContainText('Succeeded');
  // The demo admin owns the organization, so it may resync.
  await expect(page.getByRole('button', { name: 'Resync' })).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath('record-synced.png'), fullPage: true });
});

test('a held manual payout is listed in the review queue with its reason, and its link opens its record', async ({ page }, testInfo) => {
  const { payout, objects } = paidManualPayout(50_000, 'usd');
  await loadIntoStripe(page.request, account, objects);
  await deliverWebhook(page.request, account, 'payout.paid', payout);

  const queue = page.getByRole('table', { name: `Held items of ${demoOrgName}` });
  const row = queue.getByRole('row').filter({ hasText: payout.id });
  // The worker holds it a moment after the webhook: look again until it is there.
  await expect(async () => {
    await page.goto('/review');
    await expect(row).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row).toContainText('manual payout');
  // Its amount, the first thing a reviewer weighs (50,000 minor units of USD).
  await expect(row).toContainText('500.00');
  await expect(page.getByText('approve or reject arrives with the review queue')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('review-queue.png'), fullPage: true });

  await row.getByRole('link', { name: new RegExp(payout.id) }).click();
  await expect(page.getByRole('heading', { name: `Payout ${payout.id}` })).toBeVisible();
  await expect(page.getByLabel('Status: Held for review')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Why it is held' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Attempts' }).getByRole('row').nth(1)).toContainText('Held for review');
  // A held item is decided in the review queue, not resynced; there is no approve/reject to fake.
  await expect(page.getByRole('button', { name: 'Resync' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /approve|reject/i })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('record-held.png'), fullPage: true });
});

test.describe('signed out', () => {
  test.use({ storageState: SIGNED_OUT });

  test('a record link and the review queue send a signed-out visitor to sign in, and back afterwards', async ({ page }) => {
    const recordPath = `/records/${stripeId('rec')}`;
    await page.goto(recordPath);
    await expect(page).toHaveURL((url) => url.pathname === '/signin' && url.searchParams.get('callbackUrl') === recordPath);
    await expect(page.getByRole('heading', { name: 'Sign in to the admin portal' })).toBeVisible();

    await page.goto('/review');
    await expect(page).toHaveURL((url) => url.pathname === '/signin' && url.searchParams.get('callbackUrl') === '/review');
  });
});
