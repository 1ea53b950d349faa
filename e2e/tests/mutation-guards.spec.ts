import { expect, test } from '@playwright/test';
import { openDashboard, otherPostingMode, readDemoIntegration } from './support/portal';

// These requests carry the signed-in admin's session cookie (page.request shares the browser
// context's cookies), so only the api's origin and content-type checks stand in the way.
const stripeAccount = 'acct_demo_sagepro';

test('a cross-site POST to integration.updatePostingMode is refused with 403 and changes nothing', async ({ page }) => {
  await openDashboard(page);
  const before = await readDemoIntegration(page.request, stripeAccount);

  const response = await page.request.post('/api/trpc/integration.updatePostingMode', {
    headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' },
    data: { orgId: before.orgId, integrationId: before.integrationId, postingMode: otherPostingMode(before.postingMode) },
  });

  expect(response.status()).toBe(403);
  expect((await readDemoIntegration(page.request, stripeAccount)).postingMode).toBe(before.postingMode);
});

test('a POST with content-type text/plain is refused and changes nothing', async ({ page, baseURL }) => {
  await openDashboard(page);
  const before = await readDemoIntegration(page.request, stripeAccount);

  // text/plain is what an HTML form or a no-preflight fetch from another site can send.
  const response = await page.request.post('/api/trpc/integration.updatePostingMode', {
    headers: { Origin: new URL(baseURL!).origin, 'Content-Type': 'text/plain' },
    data: JSON.stringify({
      orgId: before.orgId,
      integrationId: before.integrationId,
      postingMode: otherPostingMode(before.postingMode),
    }),
  });

  expect(response.status()).toBe(415);
  expect((await readDemoIntegration(page.request, stripeAccount)).postingMode).toBe(before.postingMode);
});
