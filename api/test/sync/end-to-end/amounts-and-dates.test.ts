import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { charge, customer, dispute, payoutOf, refund, transactionsOf, utc } from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, type Tenant } from './support/tenant.ts';

// Money and dates, exactly, in the documents the Sage sandbox holds after signed webhooks went
// through the whole sync: minor units become decimals by the currency's exponent (JPY has none,
// BHD three), and every instant becomes the tenant's local date, across a month end and a change
// of daylight-saving time in America/Chicago. Expected values are written out by hand.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

/** One currency's numbers: what Stripe holds (minor units) and what Sage must show. */
type CurrencyCase = {
  currency: string;
  charged: number;
  refunds: [number, number];
  disputedCharge: number;
  sage: { charged: string; refunds: [string, string]; disputed: string; fees: string; payout: string; zero: string };
};

const CURRENCIES: CurrencyCase[] = [
  // Fees are 3 % of each charge (rounded to a minor unit) plus the 1,500-minor-unit dispute fee.
  // Payout = charges − fees − refunds − disputed amount − dispute fee.
  {
    currency: 'usd',
    charged: 12_345,
    refunds: [1_005, 2_340],
    disputedCharge: 5_000,
    sage: { charged: '123.45', refunds: ['10.05', '23.40'], disputed: '50.00', fees: '20.20', payout: '69.80', zero: '0.00' },
  },
  {
    currency: 'jpy',
    charged: 15_000,
    refunds: [1_200, 3_300],
    disputedCharge: 8_000,
    sage: { charged: '15000', refunds: ['1200', '3300'], disputed: '8000', fees: '2190', payout: '8310', zero: '0' },
  },
  {
    currency: 'bhd',
    charged: 12_340,
    refunds: [1_230, 2_000],
    disputedCharge: 5_000,
    sage: { charged: '12.340', refunds: ['1.230', '2.000'], disputed: '5.000', fees: '2.020', payout: '7.090', zero: '0.000' },
  },
];

// JPY and BHD on every edition; USD's cents are checked on every edition in every-event-type.test.ts,
// so here once, beside the others, on Sage Pro.
const MATRIX = CURRENCIES.flatMap((currencyCase) => (currencyCase.currency === 'usd' ? (['sage_pro'] as const) : EDITIONS).map((edition) => ({ ...currencyCase, edition })));

// Generous bounds: the tests of a file run side by side, so each waits on the others' jobs too.
describe.concurrent('amounts, exactly, for two-, zero- and three-decimal currencies', { timeout: 90_000 }, () => {
  it.for(MATRIX)('$currency on $edition: receipt, partial refunds, dispute and payout to the last minor unit', async ({ currency, charged, refunds, disputedCharge, sage, edition }) => {
    const CURRENCY = currency.toUpperCase();
    // A business that settles in this currency keeps its books in it (Sage Accounting posts journals only in its base currency).
    const t = await connectTenant(stack, { edition, baseCurrency: CURRENCY });
    const buyer = customer();
    const paid = charge({ amount: charged, currency, customer: buyer, created: utc('2026-03-02T15:00:00Z') });
    const firstBack = refund(paid, { amount: refunds[0] });
    const secondBack = refund(paid, { amount: refunds[1], created: (paid.charge.created as number) + 7_200 });
    const chargedBack = charge({ amount: disputedCharge, currency, customer: buyer, created: utc('2026-03-02T16:00:00Z') });
    const withdrawn = dispute(chargedBack).withTransactions('withdrawn');
    const paidOut = payoutOf([paid.transaction, firstBack.objects[0]!, secondBack.objects[0]!, chargedBack.transaction, ...transactionsOf(withdrawn)], { created: utc('2026-03-05T12:00:00Z') });
    await t.load([...paid.objects, ...firstBack.objects, ...secondBack.objects, ...chargedBack.objects, withdrawn, ...paidOut.objects]);

    await t.deliver(
      t.event('charge.succeeded', paid.charge),
      t.event('refund.created', firstBack.refund),
      t.event('refund.created', secondBack.refund),
      t.event('charge.succeeded', chargedBack.charge),
      t.event('charge.dispute.funds_withdrawn', withdrawn),
      t.event('payout.paid', paidOut.payout),
    );
    await t.settle();

    const documents = await t.documents();
    const only = (reference: string) => documents.filter((each) => each.reference === reference);
    expect(only(paid.charge.id).map((each) => [each.type, each.amount, each.currency])).toEqual(LANDS_AS[edition].receipt.map((type) => [type, sage.charged, CURRENCY]));
    expect(only(firstBack.refund.id as string).map((each) => each.amount)).toEqual(LANDS_AS[edition].refund.map(() => sage.refunds[0]));
    expect(only(secondBack.refund.id as string).map((each) => each.amount)).toEqual(LANDS_AS[edition].refund.map(() => sage.refunds[1]));
    expect(only(`${withdrawn.id}:withdrawn`)).toEqual([expect.objectContaining({ type: 'journal', amount: sage.disputed, currency: CURRENCY })]);
    const [journal] = only(paidOut.payout.id as string);
    expect(journal?.lines.filter((line) => line.account === t.accounts.bank)).toEqual([expect.objectContaining({ debit: sage.payout })]);
    expect(journal?.lines.filter((line) => line.account === t.accounts.fees)).toEqual([expect.objectContaining({ debit: sage.fees })]);

    expect(await t.balance(t.accounts.clearing, CURRENCY)).toBe(sage.zero);
    expect(await t.balance(t.accounts.bank, CURRENCY)).toBe(sage.payout);
    await expectBooksBalanced(t);
  });
});

/** A month's last evening in Chicago: UTC is already in the next month (and, by April, in daylight time). */
function monthEndStory() {
  const buyer = customer();
  // 2026-01-31 21:30 CST
  const lateJanuary = charge({ amount: 2_000, currency: 'usd', customer: buyer, created: utc('2026-02-01T03:30:00Z') });
  // 2026-02-01 00:00 CST: the first instant of February
  const firstOfFebruary = charge({ amount: 3_000, currency: 'usd', customer: buyer, created: utc('2026-02-01T06:00:00Z') });
  // 2026-02-28 23:30 CST
  const lateFebruaryRefund = refund(lateJanuary, { amount: 500, created: utc('2026-03-01T05:30:00Z') });
  // 2026-03-31 23:30 CDT (UTC−5 since 8 March)
  const opened = dispute(firstOfFebruary).withTransactions('withdrawn');
  const [withdrawal] = opened.balance_transactions as LoadableStripeObject[];
  const withdrawn = { ...opened, balance_transactions: [{ ...withdrawal!, created: utc('2026-04-01T04:30:00Z') }] };
  // Arrives 2026-04-30 22:00 CDT
  const paidOut = payoutOf([lateJanuary.transaction, firstOfFebruary.transaction, lateFebruaryRefund.objects[0]!, ...transactionsOf(withdrawn)], {
    created: utc('2026-04-29T12:00:00Z'),
    arrival: utc('2026-05-01T03:00:00Z'),
  });
  return { lateJanuary, firstOfFebruary, lateFebruaryRefund, withdrawn, paidOut, objects: [...lateJanuary.objects, ...firstOfFebruary.objects, ...lateFebruaryRefund.objects, withdrawn, ...paidOut.objects] };
}

async function tellMonthEndStory(t: Tenant) {
  const story = monthEndStory();
  await t.load(story.objects);
  await t.deliver(
    t.event('charge.succeeded', story.lateJanuary.charge),
    t.event('charge.succeeded', story.firstOfFebruary.charge),
    t.event('refund.created', story.lateFebruaryRefund.refund),
    t.event('charge.dispute.funds_withdrawn', story.withdrawn),
    t.event('payout.paid', story.paidOut.payout),
  );
  await t.settle();
  const documents = await t.documents();
  const dates = (reference: string) => [...new Set(documents.filter((each) => each.reference === reference).map((each) => each.date))];
  return {
    story,
    dates: {
      lateJanuary: dates(story.lateJanuary.charge.id),
      firstOfFebruary: dates(story.firstOfFebruary.charge.id),
      refund: dates(story.lateFebruaryRefund.refund.id as string),
      dispute: dates(`${story.withdrawn.id}:withdrawn`),
      payout: dates(story.paidOut.payout.id as string),
    },
  };
}

describe.concurrent('dates across a month end in the tenant’s time zone', { timeout: 90_000 }, () => {
  it.for(EDITIONS)('America/Chicago on %s: each document is dated the local day it happened', async (edition) => {
    const t = await connectTenant(stack, { edition, timeZone: 'America/Chicago' });
    const { dates } = await tellMonthEndStory(t);

    expect(dates).toEqual({
      lateJanuary: ['2026-01-31'],
      firstOfFebruary: ['2026-02-01'],
      refund: ['2026-02-28'],
      dispute: ['2026-03-31'],
      payout: ['2026-04-30'],
    });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    await expectBooksBalanced(t);
  });

  it('the same instants in a UTC tenant fall on the next month’s first day (the zone decides, not the server)', async () => {
    const t = await connectTenant(stack, { edition: 'sage_pro', timeZone: 'UTC' });
    const { dates } = await tellMonthEndStory(t);

    expect(dates).toEqual({
      lateJanuary: ['2026-02-01'],
      firstOfFebruary: ['2026-02-01'],
      refund: ['2026-03-01'],
      dispute: ['2026-04-01'],
      payout: ['2026-05-01'],
    });
  });
});
