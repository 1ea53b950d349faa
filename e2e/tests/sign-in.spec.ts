import { expect, test } from '@playwright/test';
import { SIGNED_OUT } from './support/auth-state';
import { demoAdmin } from './support/demo-data';
import { signInAsDemoAdmin } from './support/portal';

// Signing in and out is what these tests are about, so they start signed out and sign in for real.
test.use({ storageState: SIGNED_OUT });

test('visiting / signed out lands on the sign-in page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin(\?|$)/);
  await expect(page.getByRole('heading', { name: 'Sign in to the admin portal' })).toBeVisible();
  await expect(page.getByLabel('E-mail')).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
});

test('a wrong password shows the error, the button is disabled while it is checked, and the user stays signed out', async ({
  page,
}) => {
  await page.goto('/signin');
  await page.getByLabel('E-mail').fill(demoAdmin.email);
  await page.getByLabel('Password').fill('not-the-password');

  // Hold the credentials check until the disabled button has been seen, without sleeping.
  let releaseCheck!: () => void;
  const checkReleased = new Promise<void>((resolve) => (releaseCheck = resolve));
  await page.route('**/api/auth/callback/credentials*', async (route) => {
    await checkReleased;
    await route.continue();
  });

  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Signing in…' })).toBeDisabled();
  releaseCheck();

  await expect(page.getByRole('alert').filter({ hasText: 'E-mail or password is wrong' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await expect(page).toHaveURL(/\/signin/);

  await page.unroute('**/api/auth/callback/credentials*');
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin(\?|$)/);
});

test('signing out returns to the sign-in page', async ({ page }) => {
  await signInAsDemoAdmin(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin(\?|$)/);
  await expect(page.getByRole('heading', { name: 'Sign in to the admin portal' })).toBeVisible();

  await page.goto('/');
  await expect(page).toHaveURL(/\/signin(\?|$)/);
});
