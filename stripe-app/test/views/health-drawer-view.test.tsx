import { render } from '@stripe/ui-extension-sdk/testing';
import { Badge, Banner, Button, Link, Spinner } from '@stripe/ui-extension-sdk/ui';
import type { HealthResult } from '../../src/api/contract';
import HealthDrawerView from '../../src/views/HealthDrawerView';
import { VIEW_ONLY, aDashboardContext, aFailure, aHealth } from '../support/builders';
import { deferredReply, restoreFetch, stubBackend, until, settle } from '../support/fake-backend';
import { sdkUtils } from '../support/sdk-utils';

jest.mock('@stripe/ui-extension-sdk/utils', () =>
  jest.requireActual<typeof import('../support/sdk-utils')>('../support/sdk-utils').mockSdkUtils(),
);

const HEALTH_ROUTE = '/stripe-app/health';
const RESYNC_ROUTE = '/stripe-app/resync';
const drawer = aDashboardContext({ viewportID: 'stripe.dashboard.drawer.default' });

let sdk: ReturnType<typeof sdkUtils>;
beforeEach(() => {
  sdk = sdkUtils();
});
afterEach(restoreFetch);

async function renderDrawer(context = drawer) {
  const rendered = render(<HealthDrawerView {...context} />);
  return settle(rendered, Spinner);
}

type Wrapper = Awaited<ReturnType<typeof renderDrawer>>['wrapper'];
const buttonsLabelled = (wrapper: Wrapper, label: string) => wrapper.findAll(Button).filter((button) => button.text === label);

describe('HealthDrawerView: integration health at a glance', () => {
  const integrationCases: Array<[string, HealthResult['integration'], string, string]> = [
    ['healthy', { state: 'healthy', sageEdition: 'sage50', lastSyncAt: '2024-02-02T10:00:00Z' }, 'Healthy', 'Last sync Feb 2, 2024, 10:00 AM UTC'],
    [
      'degraded',
      { state: 'degraded', sageEdition: 'sage_pro', lastSyncAt: '2024-02-02T09:00:00Z', message: 'Sage is answering slowly; posts are delayed.' },
      'Degraded',
      'Sage is answering slowly; posts are delayed.',
    ],
    [
      'down',
      { state: 'down', sageEdition: 'sage500', lastSyncAt: null, message: 'The Sage 500 agent is unreachable.' },
      'Down',
      'Nothing synced yet',
    ],
    ['not connected', null, 'Not connected', 'No Sage company is connected yet.'],
  ];

  test.each(integrationCases)('shows a %s integration', async (_name, integration, badge, sentence) => {
    stubBackend({ [HEALTH_ROUTE]: { body: aHealth({ integration }) } });
    const { wrapper } = await renderDrawer();

    expect(wrapper.findAll(Badge)[0]).toContainText(badge);
    expect(wrapper).toContainText(sentence);
  });

  it('names the Sage edition it posts to', async () => {
    stubBackend({ [HEALTH_ROUTE]: { body: aHealth({ integration: { state: 'healthy', sageEdition: 'sage_pro', lastSyncAt: null } }) } });
    const { wrapper } = await renderDrawer();

    expect(wrapper).toContainText('Sage Pro');
  });

  it('counts the items held for review and links to the review queue', async () => {
    stubBackend({ [HEALTH_ROUTE]: { body: aHealth({ heldCount: 3 }) } });
    const { wrapper } = await renderDrawer();

    expect(wrapper).toContainText('3 items are held for review.');
    const queueLink = wrapper.findAll(Link).find((link) => link.text === 'Open the review queue');
    expect(queueLink).toHaveProps({ href: 'https://portal.sagesync.test/review', target: '_blank' });
  });

  it('lists the newest failures with the reason, what to do and a link to the portal', async () => {
    stubBackend({
      [HEALTH_ROUTE]: {
        body: aHealth({
          failures: [
            aFailure(),
            aFailure({
              objectId: 're_9',
              kind: 'refund',
              chargeId: 'ch_3Other',
              status: 'dead',
              amountMinor: 1_999,
              error: { message: 'The credit memo period is closed.', action: 'Reopen the period, then resync.' },
              portalUrl: 'https://portal.sagesync.test/records/re_9',
            }),
          ],
        }),
      },
    });
    const { wrapper } = await renderDrawer();

    expect(wrapper.findAll(Badge).map((badge) => badge.text)).toEqual(['Healthy', 'Failed', 'Dead']);
    expect(wrapper).toContainText('Charge · $50.00');
    expect(wrapper).toContainText('Sage rejected the customer: the name is longer than 30 characters.');
    expect(wrapper).toContainText('What to do: Shorten the customer name mapping in the portal, then resync.');
    expect(wrapper).toContainText('Refund · $19.99');
    expect(wrapper).toContainText('re_9 · Feb 2, 2024, 10:15 AM UTC');
    expect(wrapper.findAll(Link).map((link) => link.prop('href'))).toContain('https://portal.sagesync.test/records/re_9');
    expect(buttonsLabelled(wrapper, 'Resync')).toHaveLength(2);
  });

  it('says so when nothing has failed', async () => {
    stubBackend({ [HEALTH_ROUTE]: { body: aHealth() } });
    const { wrapper } = await renderDrawer();

    expect(wrapper).toContainText('No recent failures.');
    expect(wrapper).toContainText('0 items are held for review.');
  });

  it('resyncs a failure from the drawer: progress on that item, a toast, then fresh health', async () => {
    const resyncReply = deferredReply();
    const backend = stubBackend({
      [HEALTH_ROUTE]: { body: aHealth({ failures: [aFailure(), aFailure({ objectId: 'ch_3Two', chargeId: 'ch_3Two' })] }) },
      [RESYNC_ROUTE]: resyncReply.handler,
    });
    const { wrapper, update } = await renderDrawer();

    buttonsLabelled(wrapper, 'Resync')[1]?.trigger('onPress');
    await update();
    expect(backend.requestsTo(RESYNC_ROUTE)[0]?.body).toEqual({ charge_id: 'ch_3Two', user_id: 'usr_finance1', account_id: 'acct_tenant1' });
    expect(buttonsLabelled(wrapper, 'Resyncing…')).toHaveLength(1);
    expect(buttonsLabelled(wrapper, 'Resync')).toHaveLength(1);

    backend.answer(HEALTH_ROUTE, { body: aHealth({ failures: [aFailure()] }) });
    resyncReply.resolve({ body: { status: 'synced', message: 'ch_3Two posted to Sage as CR-001050.' } });
    await until(update, () => buttonsLabelled(wrapper, 'Resync').length === 1 && buttonsLabelled(wrapper, 'Resyncing…').length === 0);

    expect(sdk.toast).toHaveBeenCalledWith('ch_3Two posted to Sage as CR-001050.', { type: 'success' });
    expect(backend.requestsTo(HEALTH_ROUTE)).toHaveLength(2);
    expect(wrapper).not.toContainText('ch_3Two');
  });

  it('shows a failure banner when a resync from the drawer fails', async () => {
    stubBackend({
      [HEALTH_ROUTE]: { body: aHealth({ failures: [aFailure()] }) },
      [RESYNC_ROUTE]: { status: 500 },
    });
    const { wrapper, update } = await renderDrawer();

    buttonsLabelled(wrapper, 'Resync')[0]?.trigger('onPress');
    await update();

    expect(wrapper.find(Banner)).toHaveProps({ title: 'Resync failed' });
    expect(wrapper.find(Banner)?.prop('description')).toContain('Sage Sync is not answering right now.');
    expect(sdk.toast).toHaveBeenCalledWith('Resync of ch_3Fail failed.', { type: 'caution' });
  });

  it('shows failures to a read-only role without Resync buttons', async () => {
    stubBackend({ [HEALTH_ROUTE]: { body: aHealth({ failures: [aFailure()] }) } });
    const { wrapper } = await renderDrawer(aDashboardContext({ viewportID: 'stripe.dashboard.drawer.default', roles: [VIEW_ONLY] }));

    expect(wrapper).toContainText('Sage rejected the customer');
    expect(buttonsLabelled(wrapper, 'Resync')).toHaveLength(0);
  });

  it('says what went wrong when the health cannot be loaded', async () => {
    stubBackend({ [HEALTH_ROUTE]: { body: { integration: null } } });
    const { wrapper } = await renderDrawer();

    expect(wrapper.find(Banner)).toHaveProps({ title: 'Could not load the integration health' });
    expect(wrapper.find(Banner)?.prop('description')).toContain('does not understand');
    expect(buttonsLabelled(wrapper, 'Try again')).toHaveLength(0);
  });
});
