import type { SageEdition } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charge, customer, dispute, refund } from './support/stripe-objects.ts';
import { createTenant, startSyncHarness, type SyncHarness, type Tenant } from './support/sync-harness.ts';

const EDITIONS: SageEdition[] = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'];
const CLEARING: Record<SageEdition, string> = { sage500: '1150-00', sage_pro: '1150', sage50: '10500', sage_accounting: '1210' };

describe.each(EDITIONS)('refunds and disputes into %s', (edition) => {
  let harness: SyncHarness;
  let tenant: Tenant;

  beforeAll(async () => {
    harness = await startSyncHarness();
    tenant = await createTenant(harness, edition);
  });
  afterAll(() => harness.close());

  /** The credit memo of a refund: Sage 50 posts it as a journal, Sage Accounting as a credit note plus a customer refund. */
  async function creditMemos(reference: string) {
    return (await tenant.documents(reference)).filter((document) => document.type !== 'customer_refund');
  }

  it('posts the charge first, then the credit memo, each once, when the refund arrives before its charge', async () => {
    const paid = charge({ amount: 5_000, currency: 'usd', customer: customer() });
    const back = refund(paid, { amount: 5_000 });
    await tenant.load([...paid.objects, ...back.objects]);

    await tenant.sync('refund', back.refund.id);
    await tenant.sync('charge', paid.charge.id);
    await tenant.sync('refund', back.refund.id);

    expect(await tenant.documents(paid.charge.id)).toHaveLength(1);
    expect(await creditMemos(back.refund.id)).toEqual([expect.objectContaining({ amount: '50.00', currency: 'USD' })]);
    const chargeRecord = await tenant.record('charge', paid.charge.id);
    expect(chargeRecord).toMatchObject({ status: 'synced' });
    expect(await tenant.record('refund', back.refund.id)).toMatchObject({ status: 'synced', sageDocumentType: 'credit_memo', parentId: chargeRecord!.id, amountMinor: 5_000n });
  });

  it('posts two partial refunds of one charge as two credit memos', async () => {
    const paid = charge({ amount: 9_000, currency: 'usd', customer: customer() });
    const first = refund(paid, { amount: 2_000 });
    const second = refund(paid, { amount: 3_000, created: (paid.charge.created as number) + 7_200 });
    await tenant.load([...paid.objects, ...first.objects, ...second.objects]);

    await tenant.sync('charge', paid.charge.id);
    await tenant.sync('refund', first.refund.id);
    await tenant.sync('refund', second.refund.id);
    await tenant.sync('refund', first.refund.id);

    expect(await creditMemos(first.refund.id)).toEqual([expect.objectContaining({ amount: '20.00' })]);
    expect(await creditMemos(second.refund.id)).toEqual([expect.objectContaining({ amount: '30.00' })]);
  });

  it('skips a failed refund and posts a pending one, whose money has already left the balance', async () => {
    const paid = charge({ amount: 4_000, currency: 'usd', customer: customer() });
    const failed = refund(paid, { amount: 1_000, status: 'failed' });
    const pending = refund(paid, { amount: 1_500, status: 'pending' });
    await tenant.load([...paid.objects, ...failed.objects, ...pending.objects]);

    await tenant.sync('refund', failed.refund.id);
    await tenant.sync('refund', pending.refund.id);

    expect(await tenant.record('refund', failed.refund.id)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'REFUND_NOT_PAID' }) });
    expect(await creditMemos(failed.refund.id)).toEqual([]);
    expect(await creditMemos(pending.refund.id)).toEqual([expect.objectContaining({ amount: '15.00' })]);
  });

  it('posts a dispute’s withdrawal and reinstatement once each, and replaying its events posts nothing more', async () => {
    const paid = charge({ amount: 12_000, currency: 'usd', customer: customer() });
    const contested = dispute(paid);
    await tenant.load([...paid.objects, contested.withTransactions()]);
    await tenant.sync('dispute', contested.id);
    expect(await tenant.record('dispute', contested.id)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'DISPUTE_NO_FUNDS_MOVED' }) });

    await tenant.load([contested.withTransactions('withdrawn')]);
    await tenant.sync('dispute', contested.id);
    await tenant.load([contested.withTransactions('withdrawn', 'reinstated')]);
    await tenant.sync('dispute', contested.id);
    await tenant.sync('dispute', contested.id);
    await tenant.sync('dispute', contested.id);

    const withdrawn = await tenant.documents(`${contested.id}:withdrawn`);
    const reinstated = await tenant.documents(`${contested.id}:reinstated`);
    expect(withdrawn).toEqual([expect.objectContaining({ type: 'journal', amount: '120.00' })]);
    expect(reinstated).toEqual([expect.objectContaining({ type: 'journal', amount: '120.00' })]);
    expect(withdrawn[0]!.lines).toContainEqual(expect.objectContaining({ account: CLEARING[edition], credit: '120.00' }));
    expect(reinstated[0]!.lines).toContainEqual(expect.objectContaining({ account: CLEARING[edition], debit: '120.00' }));
    expect(await tenant.documents(paid.charge.id)).toHaveLength(1);
    expect(await tenant.record('dispute', contested.id)).toMatchObject({ status: 'synced', sageDocumentType: 'journal_entry' });
  });
});
