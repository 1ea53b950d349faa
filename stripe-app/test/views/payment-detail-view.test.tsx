import { render } from '@stripe/ui-extension-sdk/testing';
import { Badge, Banner, Button, ContextView, ListItem, Spinner } from '@stripe/ui-extension-sdk/ui';
import type { SyncRecord, SyncStatus } from '../../src/api/contract';
import PaymentDetailView from '../../src/views/PaymentDetailView';
import {
  ADMIN,
  READER_PERMISSIONS,
  VIEW_ONLY,
  aChargeStatus,
  aDashboardContext,
  aSyncRecord,
} from '../support/builders';
import { deferredReply, restoreFetch, stubBackend, until, settle } from '../support/fake-backend';
import { TEST_SIGNATURE, sdkUtils } from '../support/sdk-utils';

jest.mock('@stripe/ui-extension-sdk/utils', () =>
  jest.requireActual<typeof import('../support/sdk-utils')>('../support/sdk-utils').mockSdkUtils(),
);

const STATUS_ROUTE = '/stripe-app/charge-status';
const RESYNC_ROUTE = '/stripe-app/resync';
const paymentIntent = { id: 'pi_3Pk1', object: 'payment_intent' };

let sdk: ReturnType<typeof sdkUtils>;
beforeEach(() => {
  sdk = sdkUtils();
});
afterEach(restoreFetch);

async function renderPayment(context = aDashboardContext({ object: paymentIntent })) {
  const rendered = render(<PaymentDetailView {...context} />);
  return settle(rendered, Spinner);
}

function buttonLabelled(wrapper: Awaited<ReturnType<typeof renderPayment>>['wrapper'], label: string) {
  return wrapper.findAll(Button).find((button) => button.text === label) ?? null;
}

describe('PaymentDetailView: the Sage status of the payment on screen', () => {
  const statusCases: Array<[SyncStatus, Partial<SyncRecord>, string, string[]]> = [
    ['synced', {}, 'Synced', ['Posted to Sage as Cash receipt CR-001042.']],
    ['pending', { sageDocumentType: undefined, sageDocumentNumber: undefined }, 'Pending', ['Waiting to be posted to Sage.']],
    [
      'failed',
      {
        error: {
          message: 'Sage refused the receipt: GL account 1205 is inactive.',
          action: 'Reactivate GL account 1205 in Sage or change the clearing account rule, then resync.',
        },
      },
      'Failed',
      [
        'Sage refused the receipt: GL account 1205 is inactive.',
        'What to do: Reactivate GL account 1205 in Sage or change the clearing account rule, then resync.',
      ],
    ],
    [
      'held',
      { anomalyReasons: ['Amount is 14× this customer’s median charge', 'Charged at 03:12, outside business hours'] },
      'Held for review',
      ['Amount is 14× this customer’s median charge', 'Charged at 03:12, outside business hours', 'review queue'],
    ],
    ['skipped', { error: { message: 'Test-mode charges are not posted.', action: 'Nothing to do.' } }, 'Skipped', ['Not posted to Sage: Test-mode charges are not posted.']],
    [
      'dead',
      {
        error: {
          message: 'Sage was unreachable for 24 hours of retries.',
          action: 'Check the Sage agent is running, then resync.',
        },
      },
      'Dead',
      ['Sage was unreachable for 24 hours of retries.', 'What to do: Check the Sage agent is running, then resync.'],
    ],
    ['not_synced', { sageDocumentType: undefined, sageDocumentNumber: undefined }, 'Not synced', ['Not synced to Sage yet.']],
  ];

  test.each(statusCases)('a %s charge shows its badge and what it means', async (status, overrides, badge, sentences) => {
    stubBackend({ [STATUS_ROUTE]: { body: aChargeStatus({ charge: aSyncRecord({ status, ...overrides }) }) } });
    const { wrapper } = await renderPayment();

    expect(wrapper.find(Badge)).toContainText(badge);
    for (const sentence of sentences) expect(wrapper).toContainText(sentence);
  });

  it('asks for the payment intent on screen, signed, and links to the record in the portal', async () => {
    const backend = stubBackend({ [STATUS_ROUTE]: { body: aChargeStatus() } });
    const { wrapper } = await renderPayment();

    const [request] = backend.requestsTo(STATUS_ROUTE);
    expect(request?.url).toBe('https://sync.sagesync.test/stripe-app/charge-status');
    expect(request?.method).toBe('POST');
    expect(request?.headers['stripe-signature']).toBe(TEST_SIGNATURE);
    expect(request?.rawBody).toBe(JSON.stringify({ object_id: 'pi_3Pk1', user_id: 'usr_finance1', account_id: 'acct_tenant1' }));
    expect(sdk.signature).toHaveBeenCalledWith({ object_id: 'pi_3Pk1' });
    expect(wrapper.find(ContextView)).toHaveProps({
      externalLink: { label: 'Open in Sage Sync portal', href: 'https://portal.sagesync.test/records/ch_3Pk1' },
    });
  });

  it('asks for a charge when the page shows a charge', async () => {
    const backend = stubBackend({ [STATUS_ROUTE]: { body: aChargeStatus() } });
    await renderPayment(aDashboardContext({ object: { id: 'ch_3Pk1', object: 'charge' } }));

    expect(backend.requestsTo(STATUS_ROUTE)[0]?.body.object_id).toBe('ch_3Pk1');
  });

  it('explains, without asking the backend, when the object is not a payment', async () => {
    const backend = stubBackend({});
    const { wrapper } = await renderPayment(aDashboardContext({ object: { id: 'cus_1', object: 'customer' } }));

    expect(backend.requests).toHaveLength(0);
    expect(wrapper.find(Banner)).toHaveProps({ title: 'This is not a payment Sage Sync can look up' });
  });

  it('shows each refund and the dispute with a status of their own', async () => {
    stubBackend({
      [STATUS_ROUTE]: {
        body: aChargeStatus({
          refunds: [
            aSyncRecord({ id: 're_1', status: 'synced', sageDocumentType: 'credit_memo', sageDocumentNumber: 'CM-77', amountMinor: 2_500, currency: 'usd' }),
            aSyncRecord({ id: 're_2', status: 'pending', sageDocumentType: undefined, sageDocumentNumber: undefined, amountMinor: 1_000, currency: 'usd' }),
          ],
          dispute: aSyncRecord({
            id: 'du_1',
            status: 'held',
            sageDocumentType: undefined,
            sageDocumentNumber: undefined,
            anomalyReasons: ['Dispute opened 2 minutes after the charge'],
            amountMinor: 10_000,
            currency: 'usd',
          }),
        }),
      },
    });
    const { wrapper } = await renderPayment();

    expect(wrapper.findAll(Badge).map((badge) => badge.text)).toEqual(['Synced', 'Synced', 'Pending', 'Held for review']);
    expect(wrapper).toContainText('Refund · $25.00');
    expect(wrapper).toContainText('Posted to Sage as Credit memo CM-77.');
    expect(wrapper).toContainText('Refund · $10.00');
    expect(wrapper).toContainText('Dispute · $100.00');
    expect(wrapper).toContainText('Dispute opened 2 minutes after the charge');
  });

  it('lists the attempt history, newest first, with the error of a failed attempt', async () => {
    stubBackend({
      [STATUS_ROUTE]: {
        body: aChargeStatus({
          attempts: [
            { number: 1, outcome: 'failed', at: '2024-01-31T23:30:00Z', error: { message: 'Sage answered 503.', action: 'Wait.' } },
            { number: 2, outcome: 'succeeded', at: '2024-01-31T23:35:00Z' },
          ],
        }),
      },
    });
    const { wrapper } = await renderPayment();

    const items = wrapper.findAll(ListItem);
    expect(items.map((item) => item.prop('title'))).toEqual(['Attempt 2: Succeeded', 'Attempt 1: Failed']);
    expect(items[0]).toHaveProps({ secondaryTitle: 'Jan 31, 2024, 11:35 PM UTC' });
    expect(items[1]).toHaveProps({ value: 'Sage answered 503.' });
  });

  it('shows what went wrong and offers to try again when the status cannot be loaded', async () => {
    const backend = stubBackend({ [STATUS_ROUTE]: { status: 503 } });
    const { wrapper, update } = await renderPayment();

    expect(wrapper.find(Banner)).toHaveProps({ title: 'Could not load the Sage status' });
    expect(wrapper.find(Banner)?.prop('description')).toContain('Sage Sync is not answering right now.');

    backend.answer(STATUS_ROUTE, { body: aChargeStatus() });
    buttonLabelled(wrapper, 'Try again')?.trigger('onPress');
    await update();
    expect(wrapper.find(Badge)).toContainText('Synced');
  });

  it('tells an unlinked account how to link it', async () => {
    stubBackend({
      [STATUS_ROUTE]: {
        status: 409,
        body: { error: { code: 'account_not_linked', message: 'This Stripe account is not linked to Sage Sync.', action: 'Open the app settings to link it.' } },
      },
    });
    const { wrapper } = await renderPayment();

    expect(wrapper.find(Banner)?.prop('description')).toBe(
      'This Stripe account is not linked to Sage Sync. What to do: Open the app settings to link it.',
    );
    expect(buttonLabelled(wrapper, 'Try again')).toBeNull();
  });
});

describe('PaymentDetailView: Resync', () => {
  it('shows progress while the backend works, then a success toast and the new status', async () => {
    const resyncReply = deferredReply();
    const backend = stubBackend({
      [STATUS_ROUTE]: { body: aChargeStatus({ charge: aSyncRecord({ status: 'failed', error: { message: 'Sage was down.', action: 'Resync.' } }) }) },
      [RESYNC_ROUTE]: resyncReply.handler,
    });
    const { wrapper, update } = await renderPayment();

    buttonLabelled(wrapper, 'Resync')?.trigger('onPress');
    await update();
    const pendingButton = buttonLabelled(wrapper, 'Resyncing…');
    expect(pendingButton).toHaveProps({ pending: true, disabled: true });
    expect(backend.requestsTo(RESYNC_ROUTE)[0]?.rawBody).toBe(
      JSON.stringify({ charge_id: 'ch_3Pk1', user_id: 'usr_finance1', account_id: 'acct_tenant1' }),
    );
    expect(sdk.signature).toHaveBeenLastCalledWith({ charge_id: 'ch_3Pk1' });
    expect(sdk.toast).not.toHaveBeenCalled();

    backend.answer(STATUS_ROUTE, { body: aChargeStatus() });
    resyncReply.resolve({ body: { status: 'queued', message: 'Resync queued: ch_3Pk1 will post to Sage shortly.' } });
    await until(update, () => wrapper.find(Badge)?.text === 'Synced');

    expect(sdk.toast).toHaveBeenCalledWith('Resync queued: ch_3Pk1 will post to Sage shortly.', { type: 'success' });
    expect(backend.requestsTo(STATUS_ROUTE)).toHaveLength(2);
    expect(wrapper.find(Badge)).toContainText('Synced');
    expect(buttonLabelled(wrapper, 'Resync')).toHaveProps({ pending: false });
  });

  it('leaves a banner saying what to do when the backend refuses', async () => {
    stubBackend({
      [STATUS_ROUTE]: { body: aChargeStatus({ charge: aSyncRecord({ status: 'dead' }) }) },
      [RESYNC_ROUTE]: {
        status: 422,
        body: {
          error: {
            code: 'mapping_incomplete',
            message: 'The customer has no Sage customer mapping.',
            action: 'Map the customer in the portal, then resync.',
            retryable: false,
          },
        },
      },
    });
    const { wrapper, update } = await renderPayment();

    buttonLabelled(wrapper, 'Resync')?.trigger('onPress');
    await update();

    const banner = wrapper.findAll(Banner).find((candidate) => candidate.prop('title') === 'Resync failed');
    expect(banner).toHaveProps({
      type: 'critical',
      description: 'The customer has no Sage customer mapping. What to do: Map the customer in the portal, then resync.',
    });
    expect(sdk.toast).toHaveBeenCalledWith('Resync of ch_3Pk1 failed.', { type: 'caution' });

    banner?.trigger('onDismiss');
    expect(wrapper.findAll(Banner)).toHaveLength(0);
  });

  it('shows the failure banner when the resync itself reports failure', async () => {
    stubBackend({
      [STATUS_ROUTE]: { body: aChargeStatus({ charge: aSyncRecord({ status: 'failed' }) }) },
      [RESYNC_ROUTE]: { body: { status: 'failed', message: 'Sage rejected the receipt again.', action: 'Check the GL rule.' } },
    });
    const { wrapper, update } = await renderPayment();

    buttonLabelled(wrapper, 'Resync')?.trigger('onPress');
    await update();

    expect(wrapper.find(Banner)).toHaveProps({
      title: 'Resync failed',
      description: 'Sage rejected the receipt again. What to do: Check the GL rule.',
    });
  });

  it('reports an unreachable backend as a failure banner too', async () => {
    stubBackend({ [STATUS_ROUTE]: { body: aChargeStatus() }, [RESYNC_ROUTE]: 'network-error' });
    const { wrapper, update } = await renderPayment();

    buttonLabelled(wrapper, 'Resync')?.trigger('onPress');
    await update();

    expect(wrapper.find(Banner)?.prop('description')).toContain('Sage Sync could not be reached.');
  });

  it('offers Resync for a payment Sage Sync has not recorded yet, saying what it will do', async () => {
    const backend = stubBackend({
      [STATUS_ROUTE]: {
        body: aChargeStatus({
          charge: aSyncRecord({
            id: 'ch_3New',
            status: 'not_synced',
            sageDocumentType: undefined,
            sageDocumentNumber: undefined,
            amountMinor: 9_900,
            currency: 'usd',
            error: { message: 'Sage Sync has not posted this payment to Sage yet.', action: 'Press Resync to post it to Sage now.' },
          }),
          attempts: [],
        }),
      },
      [RESYNC_ROUTE]: { body: { status: 'queued', message: 'Resync queued.' } },
    });
    const { wrapper, update } = await renderPayment();

    expect(wrapper.find(Badge)).toContainText('Not synced');
    expect(wrapper).toContainText('Charge · $99.00');
    expect(wrapper).toContainText('Sage Sync has not posted this payment to Sage yet.');
    expect(wrapper).toContainText('What to do: Press Resync to post it to Sage now.');
    buttonLabelled(wrapper, 'Resync')?.trigger('onPress');
    await update();
    expect(backend.requestsTo(RESYNC_ROUTE)[0]?.body.charge_id).toBe('ch_3New');
    expect(sdk.toast).toHaveBeenCalledWith('Resync queued.', { type: 'success' });
  });

  it('tells a Dashboard user who has not linked their Stripe user to do so in Settings when Resync is refused', async () => {
    stubBackend({
      [STATUS_ROUTE]: { body: aChargeStatus({ charge: aSyncRecord({ status: 'failed' }) }) },
      [RESYNC_ROUTE]: {
        status: 403,
        body: {
          error: {
            code: 'STRIPE_USER_NOT_LINKED',
            message: 'Your Stripe user is not linked to a Sage Sync sign-in yet, so Sage Sync cannot tell whether you may resync.',
            action: 'Link your Stripe user in Settings: open the Sage Sync app settings in the Stripe Dashboard and choose "Link my Stripe user".',
            retryable: false,
          },
        },
      },
    });
    const { wrapper, update } = await renderPayment();

    buttonLabelled(wrapper, 'Resync')?.trigger('onPress');
    await update();
    const banner = wrapper.findAll(Banner).find((candidate) => candidate.prop('title') === 'Resync failed');
    expect(banner?.prop('description')).toContain('not linked to a Sage Sync sign-in');
    expect(banner?.prop('description')).toContain('What to do: Link your Stripe user in Settings');
    expect(wrapper.find(Badge)).toContainText('Failed');
  });

  it('offers no Resync to a read-only role, but still shows the status', async () => {
    stubBackend({ [STATUS_ROUTE]: { body: aChargeStatus({ charge: aSyncRecord({ status: 'failed' }) }) } });
    const { wrapper } = await renderPayment(aDashboardContext({ object: paymentIntent, roles: [VIEW_ONLY] }));

    expect(wrapper.find(Badge)).toContainText('Failed');
    expect(buttonLabelled(wrapper, 'Resync')).toBeNull();
    expect(wrapper).toContainText('a role that can edit payments can resync');
  });

  it('offers no Resync when the app may not write charges for this user', async () => {
    stubBackend({ [STATUS_ROUTE]: { body: aChargeStatus() } });
    const { wrapper } = await renderPayment(
      aDashboardContext({ object: paymentIntent, roles: [ADMIN], permissions: READER_PERMISSIONS }),
    );

    expect(wrapper.find(Badge)).toContainText('Synced');
    expect(buttonLabelled(wrapper, 'Resync')).toBeNull();
  });
});
