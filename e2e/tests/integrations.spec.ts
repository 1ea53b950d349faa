import { expect, test } from '@playwright/test';
import { demoIntegrations, demoOrgName } from './support/demo-data';
import {
  integrationRow,
  listDemoOrgIntegrations,
  otherPostingMode,
  openDashboard,
  readDemoIntegration,
  setPostingModeDirectly,
} from './support/portal';

test('the signed-in demo admin sees its integrations, the four demo ones with their Sage editions', async ({ page }, testInfo) => {
  await openDashboard(page);

  await expect(page.getByText(`${demoOrgName} · Owner`)).toBeVisible();
  const table = page.getByRole('table', { name: `Integrations of ${demoOrgName}` });
  // The table shows exactly the organization's own integrations (the seeded four, plus any another
  // spec linked meanwhile), each once.
  const { integrations } = await listDemoOrgIntegrations(page.request);
  expect(integrations.map((i) => i.sourceAccountId)).toEqual(expect.arrayContaining(demoIntegrations.map((i) => i.stripeAccount)));
  await expect(table.getByRole('row')).toHaveCount(1 + integrations.length);
  for (const integration of demoIntegrations) {
    const row = integrationRow(page, integration.stripeAccount);
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('cell', { name: integration.sageEdition, exact: true })).toBeVisible();
    await expect(row.getByRole('cell', { name: integration.sageCompany, exact: true })).toBeVisible();
  }

  await page.screenshot({ path: testInfo.outputPath('home-signed-in.png'), fullPage: true });
});

test("an admin changes an integration's posting mode and it is still changed after a reload", async ({
  page,
  baseURL,
}) => {
  await openDashboard(page);
  const stripeAccount = 'acct_demo_sage50';
  const before = await readDemoIntegration(page.request, stripeAccount);
  const changedTo = otherPostingMode(before.postingMode);

  try {
    const select = integrationRow(page, stripeAccount).getByRole('combobox', {
      name: `Posting mode for ${before.name}`,
    });
    await expect(select).toHaveValue(before.postingMode);
    await select.selectOption(changedTo);
    await expect(page.getByRole('status').filter({ hasText: 'Posting mode saved.' })).toBeVisible();

    await page.reload();
    await expect(
      integrationRow(page, stripeAccount).getByRole('combobox', { name: `Posting mode for ${before.name}` }),
    ).toHaveValue(changedTo);
    expect((await readDemoIntegration(page.request, stripeAccount)).postingMode).toBe(changedTo);
  } finally {
    // Leave the demo data as it was, so the suite can run again.
    await setPostingModeDirectly(page.request, baseURL!, before, before.postingMode);
  }
});
