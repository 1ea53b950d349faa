import { describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { CURRENCY_RULES, buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function transactionOf(scenario: ReturnType<typeof buildStripeScenario>, sourceId: string): Stripe.BalanceTransaction {
  const found = scenario.balanceTransactions.find((transaction) => transaction.source === sourceId);
  if (!found) throw new Error(`no balance transaction for ${sourceId}`);
  return found;
}

describe.each(['usd', 'jpy', 'bhd'])('the %s scenario', (currency) => {
  const scenario = buildStripeScenario({ seed: 42, currency, size: 400 });
  const rules = CURRENCY_RULES[currency];

  it('lists exactly `size` balance transactions in the payout, all integers in its currency', () => {
    expect(scenario.balanceTransactions).toHaveLength(400);
    for (const transaction of scenario.balanceTransactions) {
      expect(transaction.currency).toBe(currency);
      for (const value of [transaction.amount, transaction.fee, transaction.net]) expect(Number.isInteger(value)).toBe(true);
    }
  });

  it("gives each charge a transaction whose amount − fee = net, with fee details summing to the fee", () => {
    for (const charge of scenario.charges) {
      const transaction = transactionOf(scenario, charge.id);
      expect(charge.balance_transaction).toBe(transaction.id);
      expect(transaction.amount).toBe(charge.amount);
      expect(transaction.amount - transaction.fee).toBe(transaction.net);
      expect(sum(transaction.fee_details.map((detail) => detail.amount))).toBe(transaction.fee);
      expect([transaction.type, transaction.reporting_category]).toEqual(['charge', 'charge']);
    }
  });

  it('never refunds more than a charge, and gives each refund its own transaction', () => {
    expect(scenario.refunds.length).toBeGreaterThan(0);
    expect(scenario.charges.some((charge) => charge.refunds?.data.length === 2)).toBe(true);
    for (const charge of scenario.charges) {
      const refunds = scenario.refunds.filter((refund) => refund.charge === charge.id);
      expect(charge.amount_refunded).toBe(sum(refunds.map((refund) => refund.amount)));
      expect(charge.amount_refunded).toBeLessThanOrEqual(charge.amount);
    }
    for (const refund of scenario.refunds) {
      const transaction = transactionOf(scenario, refund.id);
      expect(refund.balance_transaction).toBe(transaction.id);
      expect([transaction.amount, transaction.fee, transaction.net]).toEqual([-refund.amount, 0, -refund.amount]);
      expect(transaction.reporting_category).toBe('refund');
    }
  });

  it('withdraws the disputed amount and the dispute fee in one dispute transaction', () => {
    expect(scenario.disputes).toHaveLength(1);
    const [dispute] = scenario.disputes as [Stripe.Dispute];
    const transaction = transactionOf(scenario, dispute.id);
    expect(dispute.balance_transactions).toEqual([transaction]);
    expect(transaction.amount).toBe(-dispute.amount);
    expect(transaction.net).toBe(-dispute.amount - (rules?.disputeFee ?? Number.NaN));
    expect(transaction.reporting_category).toBe('dispute');
    expect(scenario.charges.find((charge) => charge.id === dispute.charge)?.disputed).toBe(true);
  });

  it("makes the payout's own transaction −amount and the others' net sum exactly to the payout amount", () => {
    const own = transactionOf(scenario, scenario.payout.id);
    const others = scenario.balanceTransactions.filter((transaction) => transaction !== own);
    expect(own.amount).toBe(-scenario.payout.amount);
    expect([own.type, own.reporting_category]).toEqual(['payout', 'payout']);
    expect(sum(others.map((transaction) => transaction.net))).toBe(scenario.payout.amount);
    expect(scenario.payout.balance_transaction).toBe(own.id);
  });

  it('marks every balance transaction with its payout for the fake, and nothing else', () => {
    const hinted = scenario.objects.filter((object) => object.payout !== undefined);
    expect(hinted.every((object) => object.object === 'balance_transaction' && object.payout === scenario.payout.id)).toBe(true);
    expect(hinted).toHaveLength(400);
  });
});

describe('the scenario builder', () => {
  it('is deterministic: the same seed gives the same data, another seed other data', () => {
    const once = buildStripeScenario({ seed: 7, size: 50 });
    const again = buildStripeScenario({ seed: 7, size: 50 });
    const other = buildStripeScenario({ seed: 8, size: 50 });

    expect(again.objects).toEqual(once.objects);
    expect(other.payout.id).not.toBe(once.payout.id);
  });

  it('keeps three-decimal charge and refund amounts on a multiple of ten, as Stripe requires', () => {
    const scenario = buildStripeScenario({ seed: 3, currency: 'bhd', size: 300 });

    expect(scenario.charges.every((charge) => charge.amount % 10 === 0)).toBe(true);
    expect(scenario.refunds.every((refund) => refund.amount % 10 === 0)).toBe(true);
  });

  it('holds its invariants across many seeds and sizes', () => {
    for (let seed = 0; seed < 60; seed += 1) {
      const size = 2 + ((seed * 37) % 200);
      const scenario = buildStripeScenario({ seed, size, currency: ['usd', 'jpy', 'bhd'][seed % 3] });
      const own = scenario.balanceTransactions.filter((transaction) => transaction.type === 'payout');
      const others = scenario.balanceTransactions.filter((transaction) => transaction.type !== 'payout');
      expect(scenario.balanceTransactions).toHaveLength(size);
      expect(own).toHaveLength(1);
      expect(scenario.payout.amount).toBeGreaterThan(0);
      expect(sum(others.map((transaction) => transaction.net))).toBe(scenario.payout.amount);
    }
  });

  it('puts every object of an account scenario in that account, events naming it', () => {
    const scenario = buildStripeScenario({ seed: 5, size: 10, account: 'acct_demo_sage50' });

    expect(scenario.objects.every((object) => object.account === 'acct_demo_sage50')).toBe(true);
    expect(scenario.events.every((event) => event.account === 'acct_demo_sage50')).toBe(true);
  });

  it('refuses an unknown currency and a payout too small to hold a charge', () => {
    expect(() => buildStripeScenario({ seed: 1, currency: 'xyz' })).toThrow(/No scenario rules for currency "xyz"/);
    expect(() => buildStripeScenario({ seed: 1, size: 1 })).toThrow(/at least 2/);
  });
});
