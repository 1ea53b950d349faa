import { describe, expect, it } from 'vitest';
import { StripeConnectorError } from '../../../src/connectors/stripe/stripe-error.ts';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { failureOf, startReaderHarness } from './support/stripe-reader-harness.ts';

describe('Connect: a reader for a connected account sees only that account', () => {
  it("reads a connected account's objects, and neither the platform nor another account can see them", async () => {
    const harness = await startReaderHarness();
    const east = buildStripeScenario({ seed: 21, size: 8, account: 'acct_east' });
    const west = buildStripeScenario({ seed: 22, size: 8, account: 'acct_west' });
    await harness.load([...east.objects, ...west.objects]);
    const eastCharge = east.charges[0]?.id ?? '';

    const fromEast = await harness.reader({ stripeAccount: 'acct_east' }).retrieveCharge(eastCharge);
    const fromWest = await failureOf(harness.reader({ stripeAccount: 'acct_west' }).retrieveCharge(eastCharge));
    const fromPlatform = await failureOf(harness.reader().retrieveCharge(eastCharge));

    expect(fromEast.id).toBe(eastCharge);
    expect(fromWest).toBeInstanceOf(StripeConnectorError);
    expect((fromWest as StripeConnectorError).code).toBe('STRIPE_NOT_FOUND');
    expect((fromWest as StripeConnectorError).detail.stripeAccount).toBe('acct_west');
    expect((fromPlatform as StripeConnectorError).code).toBe('STRIPE_NOT_FOUND');
    expect(harness.requests().map((request) => request.account)).toEqual(['acct_east', 'acct_west', 'acct_fake_platform']);
  });

  it("lists a connected account's payout and backfills its charges without touching another account's", async () => {
    const harness = await startReaderHarness();
    const east = buildStripeScenario({ seed: 23, size: 20, account: 'acct_east' });
    const west = buildStripeScenario({ seed: 24, size: 20, account: 'acct_west' });
    await harness.load([...east.objects, ...west.objects]);
    const reader = harness.reader({ stripeAccount: 'acct_east' });

    const transactions = [];
    for await (const transaction of reader.listPayoutBalanceTransactions(east.payout.id)) transactions.push(transaction.id);
    const charges = await reader.listCreated('charges', { gte: 0, lt: 2_000_000_000 });

    expect(transactions.sort()).toEqual(east.balanceTransactions.map((transaction) => transaction.id).sort());
    expect(charges.objects.map((charge) => charge.id).sort()).toEqual(east.charges.map((charge) => charge.id).sort());
  });

  it("writes metadata into the connected account's object only", async () => {
    const harness = await startReaderHarness();
    const east = buildStripeScenario({ seed: 25, size: 6, account: 'acct_east' });
    await harness.load(east.objects);
    const chargeId = east.charges[0]?.id ?? '';

    await harness.reader({ stripeAccount: 'acct_east' }).updateChargeMetadata(chargeId, { sage_document: 'CR-1' }, 'writeback-east-1');

    expect(harness.fake.store.get('acct_east', 'charge', chargeId)?.metadata).toEqual({ sage_document: 'CR-1' });
    expect(harness.requests().at(-1)).toMatchObject({ method: 'POST', account: 'acct_east', idempotencyKey: 'writeback-east-1' });
  });
});
