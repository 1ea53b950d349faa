import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, loadDemoData } from '../../../src/sandbox/stripe-fake/demo-data.ts';
import { startStripeFake } from './support/stripe-fake-harness.ts';

describe('the demo data the standalone fake starts with', () => {
  it("gives each demo Stripe account one paid payout whose transactions net exactly to it", async () => {
    const { stripe, fake } = await startStripeFake();
    loadDemoData(fake.store, 1);

    for (const { account, currency } of DEMO_ACCOUNTS) {
      const payouts = await stripe.payouts.list({}, { stripeAccount: account });
      expect(payouts.data).toHaveLength(1);
      const [payout] = payouts.data;
      let net = 0;
      for await (const transaction of stripe.balanceTransactions.list({ payout: payout?.id, limit: 100 }, { stripeAccount: account })) {
        if (transaction.type !== 'payout') net += transaction.net;
      }
      expect([payout?.currency, net]).toEqual([currency, payout?.amount]);
    }
    expect((await stripe.charges.list()).data).toEqual([]);
  });
});
