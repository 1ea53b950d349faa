import { createHmac } from 'node:crypto';
import { expect, type APIRequestContext } from '@playwright/test';
import { apiURL } from './urls';

// The Stripe App's backend calls, signed as Stripe signs them. The run's api verifies with
// STRIPE_APP_SECRET; the embedded default is the public demo secret.
const appSecret = process.env.STRIPE_APP_SECRET || 'absec_demo_local';

/**
 * POST /stripe-app/<route> as the Dashboard sends it: Stripe's signature over the exact body, which
 * is the route's own fields in order, then the user and the account.
 */
export async function callStripeApp(
  request: APIRequestContext,
  route: string,
  accountId: string,
  userId: string,
  fields: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const payload = JSON.stringify({ ...fields, user_id: userId, account_id: accountId });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', appSecret).update(`${timestamp}.${payload}`).digest('hex');
  const response = await request.post(`${apiURL}/stripe-app/${route}`, {
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${timestamp},v1=${signature}` },
    data: payload,
  });
  expect(response.status(), `POST /stripe-app/${route}: ${await response.text()}`).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}
