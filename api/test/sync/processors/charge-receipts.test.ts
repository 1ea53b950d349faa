import type { SageEdition } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charge, customer, utc } from './support/stripe-objects.ts';
import { createTenant, runRetryNow, startSyncHarness, waitForJob, type SyncHarness, type Tenant } from './support/sync-harness.ts';

const EDITIONS: SageEdition[] = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'];

describe.each(EDITIONS)('charges into %s', (edition) => {
  let harness: SyncHarness;
  let tenant: Tenant;

  beforeAll(async () => {
    harness = await startSyncHarness();
    tenant = await createTenant(harness, edition, { writeBackMetadata: true });
  });
  afterAll(() => harness.close());

  it('posts a succeeded USD charge as one receipt for its amount, on its local date, to its customer, and writes the document id back', async () => {
    const buyer = customer({ name: 'Grace Hopper' });
    const paid = charge({ amount: 2_599, currency: 'usd', customer: buyer, created: utc('2026-01-15T15:00:00Z') });
    await tenant.load(paid.objects);

    await tenant.sync('charge', paid.charge.id);

    const [receipt, ...others] = await tenant.documents(paid.charge.id);
    expect(others).toEqual([]);
    expect(receipt).toMatchObject({ amount: '25.99', currency: 'USD', date: '2026-01-15' });
    const record = await tenant.record('charge', paid.charge.id);
    expect(record).toMatchObject({ status: 'synced', sageDocumentType: 'cash_receipt', sageDocumentId: receipt!.id, amountMinor: 2_599n, currency: 'USD' });
    // Sage Accounting's contact payments have no number of their own: the connector reports the reference.
    expect(record?.sageDocumentNumber).toBe(edition === 'sage_accounting' ? paid.charge.id : receipt!.number);
    const written = harness.fake.store.get(tenant.integration.sourceAccountId, 'charge', paid.charge.id);
    expect(written?.metadata).toMatchObject({ sage_document_id: record!.sageDocumentId });
    const sageCustomers = await harness.sandbox.getJson<{ customers: { name: string }[] }>(
      `/_sandbox/companies/${tenant.company}/customers?email=${encodeURIComponent(buyer.email as string)}`,
    );
    expect(sageCustomers.body.customers).toEqual([expect.objectContaining({ name: 'Grace Hopper' })]);
  });

  it('posts zero-decimal JPY and three-decimal BHD settlement amounts exactly', async () => {
    const yen = charge({ amount: 1_500, currency: 'jpy', customer: customer() });
    const dinar = charge({ amount: 1_250, currency: 'bhd', customer: customer() });
    await tenant.load([...yen.objects, ...dinar.objects]);

    await tenant.sync('charge', yen.charge.id);
    await tenant.sync('charge', dinar.charge.id);

    expect(await tenant.documents(yen.charge.id)).toEqual([expect.objectContaining({ amount: '1500', currency: 'JPY' })]);
    expect(await tenant.documents(dinar.charge.id)).toEqual([expect.objectContaining({ amount: '1.250', currency: 'BHD' })]);
  });

  it('posts the settlement amount in the settlement currency, with what the customer paid in the memo', async () => {
    const paid = charge({ amount: 10_000, currency: 'eur', customer: customer(), settled: { amount: 10_825, currency: 'usd', exchangeRate: 1.0825 } });
    await tenant.load(paid.objects);

    await tenant.sync('charge', paid.charge.id);

    const [receipt] = await tenant.documents(paid.charge.id);
    expect(receipt).toMatchObject({ amount: '108.25', currency: 'USD' });
    // Sage Accounting's contact payments keep no memo; the other editions carry it.
    if (edition !== 'sage_accounting') expect(JSON.stringify(receipt)).toContain('Charged 100.00 EUR at 1.0825');
  });

  it('dates a charge at 23:30 in Chicago on 31 January in January, although it is February in UTC', async () => {
    const lateNight = charge({ amount: 4_200, currency: 'usd', customer: customer(), created: utc('2026-02-01T05:30:00Z') });
    await tenant.load(lateNight.objects);

    await tenant.sync('charge', lateNight.charge.id);

    expect(await tenant.documents(lateNight.charge.id)).toEqual([expect.objectContaining({ date: '2026-01-31' })]);
  });

  it('posts one document when the same charge is synced twice', async () => {
    const paid = charge({ amount: 1_000, currency: 'usd', customer: customer() });
    await tenant.load(paid.objects);

    await tenant.sync('charge', paid.charge.id);
    await tenant.sync('charge', paid.charge.id);

    expect(await tenant.documents(paid.charge.id)).toHaveLength(1);
    expect(await tenant.record('charge', paid.charge.id)).toMatchObject({ status: 'synced', attempts: 2 });
  });

  it('finds the receipt Sage committed when the answer was lost, so the retried job posts exactly one', async () => {
    const buyer = customer();
    const paid = charge({ amount: 7_700, currency: 'usd', customer: buyer });
    await tenant.load(paid.objects);
    await tenant.sync('customer', buyer.id);
    await harness.sandbox.setFaults(tenant.company, { commitThenDropNext: true });

    const jobId = await tenant.deliver('charge', paid.charge.id);
    await waitForJob(harness, jobId, ['retry']);
    expect(await tenant.record('charge', paid.charge.id)).toMatchObject({ status: 'failed', lastError: expect.objectContaining({ retryable: true }) });
    await runRetryNow(harness, jobId);
    await waitForJob(harness, jobId, ['completed']);

    expect(await tenant.documents(paid.charge.id)).toHaveLength(1);
    expect(await tenant.record('charge', paid.charge.id)).toMatchObject({ status: 'synced' });
  });

  it('skips a failed charge and an uncaptured one, saying why, and posts nothing', async () => {
    const declined = charge({ amount: 500, currency: 'usd', customer: customer(), status: 'failed' });
    const authorized = charge({ amount: 600, currency: 'usd', customer: customer(), captured: false });
    await tenant.load([...declined.objects, ...authorized.objects]);

    await tenant.sync('charge', declined.charge.id);
    await tenant.sync('charge', authorized.charge.id);

    expect(await tenant.record('charge', declined.charge.id)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'CHARGE_NOT_SUCCEEDED' }) });
    expect(await tenant.record('charge', authorized.charge.id)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'CHARGE_NOT_CAPTURED' }) });
    expect(await tenant.documents(declined.charge.id)).toEqual([]);
    expect(await tenant.documents(authorized.charge.id)).toEqual([]);
  });

  it('posts a guest charge to the Sage customer of its billing e-mail, and one without an e-mail to the integration’s Stripe guest', async () => {
    const email = `guest-${Date.now()}@example.test`;
    const first = charge({ amount: 1_100, currency: 'usd', customer: null, billingEmail: email });
    const second = charge({ amount: 1_200, currency: 'usd', customer: null, billingEmail: email });
    const anonymous = charge({ amount: 1_300, currency: 'usd', customer: null, billingEmail: null });
    await tenant.load([...first.objects, ...second.objects, ...anonymous.objects]);

    for (const each of [first, second, anonymous]) await tenant.sync('charge', each.charge.id);

    for (const each of [first, second, anonymous]) expect(await tenant.documents(each.charge.id)).toHaveLength(1);
    type Customers = { customers: { id: string; name: string; email: string | null }[] };
    const byEmail = await harness.sandbox.getJson<Customers>(`/_sandbox/companies/${tenant.company}/customers?email=${encodeURIComponent(email)}`);
    expect(byEmail.body.customers).toHaveLength(1);
    const all = await harness.sandbox.getJson<Customers>(`/_sandbox/companies/${tenant.company}/customers`);
    expect(all.body.customers.filter((each) => each.name === 'Stripe guest')).toHaveLength(1);
  });
});

describe('charges that need a person or a reviewer', () => {
  let harness: SyncHarness;
  let tenant: Tenant;

  beforeAll(async () => {
    harness = await startSyncHarness();
    tenant = await createTenant(harness, 'sage_pro');
  });
  afterAll(() => harness.close());

  it('records a mapping error as failed, naming the field, and does not retry it', async () => {
    await harness.prisma.fieldMapping.create({
      data: {
        orgId: tenant.integration.orgId,
        integrationId: tenant.integration.id,
        documentType: 'cash_receipt',
        version: 2,
        isActive: true,
        definition: { fields: [{ target: 'invoiceNumber', source: 'metadata.erp_invoice_number', required: true, transforms: [] }] },
      },
    });
    const paid = charge({ amount: 900, currency: 'usd', customer: customer() });
    await tenant.load(paid.objects);

    const jobId = await tenant.sync('charge', paid.charge.id, ['completed', 'retry', 'failed']);

    expect((await harness.boss.getJobById('sync-object', jobId))?.state).toBe('completed');
    const record = await tenant.record('charge', paid.charge.id);
    expect(record).toMatchObject({ status: 'failed', lastError: expect.objectContaining({ code: 'MAPPING_INVALID', retryable: false }) });
    expect((record?.lastError as { message: string }).message).toContain('invoiceNumber');
    expect(await tenant.documents(paid.charge.id)).toEqual([]);
    await harness.prisma.fieldMapping.deleteMany({ where: { integrationId: tenant.integration.id } });
  });

  it('holds a charge the anomaly hook flags, with its amount for the reviewer, and posts nothing', async () => {
    const paid = charge({ amount: 990_000, currency: 'usd', customer: customer() });
    await tenant.load(paid.objects);
    harness.holdIds.add(paid.charge.id);

    await tenant.sync('charge', paid.charge.id);

    expect(await tenant.record('charge', paid.charge.id)).toMatchObject({ status: 'held', amountMinor: 990_000n, currency: 'USD', lastError: expect.objectContaining({ code: 'ANOMALY_HOLD' }) });
    expect(await tenant.documents(paid.charge.id)).toEqual([]);
  });
});
