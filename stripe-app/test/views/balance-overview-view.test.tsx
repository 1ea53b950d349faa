import { render } from '@stripe/ui-extension-sdk/testing';
import { Badge, Banner, Button, Spinner } from '@stripe/ui-extension-sdk/ui';
import BalanceOverviewView from '../../src/views/BalanceOverviewView';
import { aDashboardContext, aPayout } from '../support/builders';
import { restoreFetch, stubBackend, settle } from '../support/fake-backend';
import { TEST_SIGNATURE, sdkUtils } from '../support/sdk-utils';

jest.mock('@stripe/ui-extension-sdk/utils', () =>
  jest.requireActual<typeof import('../support/sdk-utils')>('../support/sdk-utils').mockSdkUtils(),
);

const PAYOUTS_ROUTE = '/stripe-app/payouts';
const context = aDashboardContext({ viewportID: 'stripe.dashboard.balance.overview' });

let sdk: ReturnType<typeof sdkUtils>;
beforeEach(() => {
  sdk = sdkUtils();
});
afterEach(restoreFetch);

async function renderBalance() {
  const rendered = render(<BalanceOverviewView {...context} />);
  return settle(rendered, Spinner);
}

describe('BalanceOverviewView: recent payouts and their reconciliation', () => {
  it('asks for payouts with a request signed for the user and account alone', async () => {
    const backend = stubBackend({ [PAYOUTS_ROUTE]: { body: { payouts: [] } } });
    const { wrapper } = await renderBalance();

    const [request] = backend.requestsTo(PAYOUTS_ROUTE);
    expect(request?.rawBody).toBe(JSON.stringify({ user_id: 'usr_finance1', account_id: 'acct_tenant1' }));
    expect(request?.headers['stripe-signature']).toBe(TEST_SIGNATURE);
    expect(sdk.signature).toHaveBeenCalledWith({});
    expect(wrapper).toContainText('No payouts yet.');
  });

  it('shows a posted payout with its journal, balanced', async () => {
    stubBackend({ [PAYOUTS_ROUTE]: { body: { payouts: [aPayout()] } } });
    const { wrapper } = await renderBalance();

    expect(wrapper.find(Badge)).toContainText('Journal posted');
    expect(wrapper).toContainText('$12,345.67');
    expect(wrapper).toContainText('po_1Nx · arrives Feb 1, 2024');
    expect(wrapper).toContainText('Journal JE-2024-0031 posted and balanced.');
  });

  it('shows a held payout with the difference that holds it', async () => {
    stubBackend({
      [PAYOUTS_ROUTE]: { body: { payouts: [aPayout({ state: 'held', journalNumber: undefined, differenceMinor: -1_250 })] } },
    });
    const { wrapper } = await renderBalance();

    expect(wrapper.find(Badge)).toContainText('Held');
    expect(wrapper).toContainText("Held: the journal differs from the payout's transactions by -$12.50.");
  });

  it('shows a pending payout as waiting for its transactions', async () => {
    stubBackend({ [PAYOUTS_ROUTE]: { body: { payouts: [aPayout({ state: 'pending', journalNumber: undefined })] } } });
    const { wrapper } = await renderBalance();

    expect(wrapper.find(Badge)).toContainText('Pending');
    expect(wrapper).toContainText('Waiting for its transactions to post before the journal is made.');
  });

  it('shows a failed payout with the reason and what to do', async () => {
    stubBackend({
      [PAYOUTS_ROUTE]: {
        body: {
          payouts: [
            aPayout({
              state: 'failed',
              journalNumber: undefined,
              error: { message: 'Sage closed the January period.', action: 'Reopen the period in Sage, then retry the payout in the portal.' },
            }),
          ],
        },
      },
    });
    const { wrapper } = await renderBalance();

    expect(wrapper.find(Badge)).toContainText('Failed');
    expect(wrapper).toContainText('Journal not posted: Sage closed the January period.');
    expect(wrapper).toContainText('What to do: Reopen the period in Sage, then retry the payout in the portal.');
  });

  it('formats each payout in its own currency, zero- and three-decimal ones included', async () => {
    stubBackend({
      [PAYOUTS_ROUTE]: {
        body: {
          payouts: [
            aPayout({ id: 'po_jp', amountMinor: 1_500_000, currency: 'jpy' }),
            aPayout({ id: 'po_bh', amountMinor: 12_345, currency: 'bhd', state: 'held', differenceMinor: 5 }),
          ],
        },
      },
    });
    const { wrapper } = await renderBalance();

    expect(wrapper.findAll(Badge).map((badge) => badge.text)).toEqual(['Journal posted', 'Held']);
    expect(wrapper).toContainText('¥1,500,000');
    expect(wrapper).toContainText('BHD\u00a012.345');
    expect(wrapper).toContainText('by BHD\u00a00.005.');
  });

  it('says what went wrong when payouts cannot be loaded, and retries on request', async () => {
    const backend = stubBackend({ [PAYOUTS_ROUTE]: { status: 429 } });
    const { wrapper, update } = await renderBalance();

    expect(wrapper.find(Banner)).toHaveProps({
      title: 'Could not load payouts',
      description: 'Sage Sync is busy with other requests from your account. What to do: Wait a few seconds and try again.',
    });
    backend.answer(PAYOUTS_ROUTE, { body: { payouts: [aPayout()] } });
    wrapper.find(Button)?.trigger('onPress');
    await update();
    expect(wrapper.find(Badge)).toContainText('Journal posted');
  });
});
