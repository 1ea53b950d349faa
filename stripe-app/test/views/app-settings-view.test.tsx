import { render } from '@stripe/ui-extension-sdk/testing';
import { Badge, Banner, Button, Link, SettingsView, SignInView, Spinner } from '@stripe/ui-extension-sdk/ui';
import AppSettingsView from '../../src/views/AppSettingsView';
import { aDashboardContext, aLinkedSettings } from '../support/builders';
import { deferredReply, restoreFetch, stubBackend, settle } from '../support/fake-backend';
import { sdkUtils } from '../support/sdk-utils';

jest.mock('@stripe/ui-extension-sdk/utils', () =>
  jest.requireActual<typeof import('../support/sdk-utils')>('../support/sdk-utils').mockSdkUtils(),
);

const SETTINGS_ROUTE = '/stripe-app/settings';
const LINK_ROUTE = '/stripe-app/link';
const settingsContext = aDashboardContext({ viewportID: 'settings' });
const SIGNED_LINK = {
  url: 'https://portal.sagesync.test/link/stripe?token=eyJhY2N0IjoiYWNjdF90ZW5hbnQxIn0.sig',
  expiresAt: '2024-02-02T10:10:00Z',
};

let sdk: ReturnType<typeof sdkUtils>;
beforeEach(() => {
  sdk = sdkUtils();
});
afterEach(restoreFetch);

async function renderSettings() {
  const rendered = render(<AppSettingsView {...settingsContext} />);
  return settle(rendered, Spinner);
}

describe('AppSettingsView: linking the Stripe account (onboarding)', () => {
  it('offers a sign-in to link the account while it is not linked', async () => {
    stubBackend({ [SETTINGS_ROUTE]: { body: { linked: false } } });
    const { wrapper } = await renderSettings();

    expect(wrapper).not.toContainComponent(SettingsView);
    const signIn = wrapper.find(SignInView);
    expect(signIn?.prop('primaryAction')).toEqual({ label: 'Link to Sage Sync', onPress: expect.any(Function) });
    expect(signIn?.prop('description')).toContain('Link this Stripe account to your Sage Sync organization');
  });

  it('asks the backend for a signed single-use link, then opens that link', async () => {
    const linkReply = deferredReply();
    const backend = stubBackend({ [SETTINGS_ROUTE]: { body: { linked: false } }, [LINK_ROUTE]: linkReply.handler });
    const { wrapper, update } = await renderSettings();

    wrapper.find(SignInView)?.prop('primaryAction')?.onPress?.({} as never);
    await update();
    expect(wrapper.find(SignInView)?.prop('primaryAction')?.label).toBe('Preparing a secure link…');
    expect(backend.requestsTo(LINK_ROUTE)[0]?.rawBody).toBe(JSON.stringify({ user_id: 'usr_finance1', account_id: 'acct_tenant1' }));
    expect(sdk.signature).toHaveBeenLastCalledWith({});

    linkReply.resolve({ body: SIGNED_LINK });
    await update();

    const signIn = wrapper.find(SignInView);
    expect(signIn?.prop('primaryAction')).toEqual({
      label: 'Continue to Sage Sync',
      href: SIGNED_LINK.url,
      target: '_blank',
      onPress: expect.any(Function),
    });
    expect(signIn?.prop('description')).toContain('it works once and expires Feb 2, 2024, 10:10 AM UTC');
    expect(backend.requestsTo(LINK_ROUTE)).toHaveLength(1);
  });

  it('forgets an opened link, and shows the linked settings once the user is back', async () => {
    const backend = stubBackend({ [SETTINGS_ROUTE]: { body: { linked: false } }, [LINK_ROUTE]: { body: SIGNED_LINK } });
    const { wrapper, update } = await renderSettings();
    wrapper.find(SignInView)?.prop('primaryAction')?.onPress?.({} as never);
    await update();

    wrapper.find(SignInView)?.prop('primaryAction')?.onPress?.({} as never);
    await update();
    const afterOpening = wrapper.find(SignInView);
    expect(afterOpening?.prop('primaryAction')?.href).toBeUndefined();
    expect(afterOpening?.prop('secondaryAction')?.label).toBe('Get a new link');

    backend.answer(SETTINGS_ROUTE, { body: aLinkedSettings() });
    afterOpening?.prop('primaryAction')?.onPress?.({} as never);
    await update();
    expect(wrapper).toContainComponent(SettingsView);
    expect(wrapper).toContainText('This Stripe account is linked to Acme Finance.');
  });

  it('says what went wrong when no link can be made, and lets the user try again', async () => {
    const backend = stubBackend({
      [SETTINGS_ROUTE]: { body: { linked: false } },
      [LINK_ROUTE]: {
        status: 403,
        body: { error: { code: 'forbidden', message: 'Only account administrators can link Sage Sync.', action: 'Ask an administrator to link the account.' } },
      },
    });
    const { wrapper, update } = await renderSettings();
    wrapper.find(SignInView)?.prop('primaryAction')?.onPress?.({} as never);
    await update();

    const signIn = wrapper.find(SignInView);
    expect(signIn?.prop('description')).toBe(
      'Only account administrators can link Sage Sync. What to do: Ask an administrator to link the account.',
    );
    expect(signIn?.prop('primaryAction')?.label).toBe('Try again');

    backend.answer(LINK_ROUTE, { body: SIGNED_LINK });
    signIn?.prop('primaryAction')?.onPress?.({} as never);
    await update();
    expect(wrapper.find(SignInView)?.prop('primaryAction')?.href).toBe(SIGNED_LINK.url);
  });
});

describe('AppSettingsView: once linked', () => {
  it('shows the organization, the Sage connection and the posting mode', async () => {
    stubBackend({ [SETTINGS_ROUTE]: { body: aLinkedSettings() } });
    const { wrapper } = await renderSettings();

    expect(wrapper).not.toContainComponent(SignInView);
    expect(wrapper).toContainText('This Stripe account is linked to Acme Finance.');
    expect(wrapper.find(Badge)).toContainText('Connected');
    expect(wrapper).toContainText('Sage Pro · Acme Ltd');
    expect(wrapper).toContainText('A receipt per transaction, then a payout journal');
    expect(wrapper.find(Link)).toHaveProps({ href: 'https://portal.sagesync.test/settings' });
  });

  it('shows a broken Sage connection and why', async () => {
    stubBackend({
      [SETTINGS_ROUTE]: {
        body: aLinkedSettings({
          postingMode: 'payout_summary',
          connection: { sageEdition: 'sage500', state: 'error', message: 'The Sage 500 agent rejected our credentials.' },
        }),
      },
    });
    const { wrapper } = await renderSettings();

    expect(wrapper.find(Badge)).toContainText('Connection error');
    expect(wrapper).toContainText('The Sage 500 agent rejected our credentials.');
    expect(wrapper).toContainText('One summary journal per payout');
  });

  it('says when no Sage company is connected yet', async () => {
    stubBackend({ [SETTINGS_ROUTE]: { body: aLinkedSettings({ connection: null, postingMode: undefined }) } });
    const { wrapper } = await renderSettings();

    expect(wrapper).toContainText('No Sage company is connected yet.');
    expect(wrapper).toContainText('Not set yet.');
  });

  it('says what went wrong when the settings cannot be loaded', async () => {
    stubBackend({ [SETTINGS_ROUTE]: 'network-error' });
    const { wrapper } = await renderSettings();

    expect(wrapper).toContainComponent(SettingsView);
    expect(wrapper.find(Banner)).toHaveProps({ title: 'Could not load the Sage Sync settings' });
    expect(wrapper.find(Banner)?.prop('description')).toContain('Sage Sync could not be reached.');
  });
});

describe("AppSettingsView: the Dashboard user's own link (what Resync acts as)", () => {
  const UNLINKED_USER = {
    linked: false,
    canResync: false,
    message: 'Link your Stripe user to your Sage Sync sign-in to resync payments from the Dashboard.',
  };

  function button(wrapper: Awaited<ReturnType<typeof renderSettings>>['wrapper'], label: string) {
    return wrapper.findAll(Button).find((candidate) => candidate.text === label) ?? null;
  }

  it('offers an unlinked user a single-use link, then checks again once they are back', async () => {
    const backend = stubBackend({
      [SETTINGS_ROUTE]: { body: aLinkedSettings({ stripeUser: UNLINKED_USER }) },
      [LINK_ROUTE]: { body: SIGNED_LINK },
    });
    const { wrapper, update } = await renderSettings();

    expect(wrapper).toContainComponent(SettingsView);
    expect(wrapper).toContainText('Your Stripe user');
    expect(wrapper).toContainText('Link your Stripe user to your Sage Sync sign-in to resync payments from the Dashboard.');
    button(wrapper, 'Link my Stripe user')?.trigger('onPress');
    await update();

    expect(backend.requestsTo(LINK_ROUTE)[0]?.rawBody).toBe(JSON.stringify({ user_id: 'usr_finance1', account_id: 'acct_tenant1' }));
    const open = button(wrapper, 'Continue to Sage Sync');
    expect(open).toHaveProps({ href: SIGNED_LINK.url, target: '_blank' });
    expect(wrapper).toContainText('The link works once and expires Feb 2, 2024, 10:10 AM UTC.');

    open?.trigger('onPress');
    await update();
    expect(button(wrapper, 'Continue to Sage Sync')).toBeNull();
    expect(button(wrapper, 'Get a new link')).not.toBeNull();

    backend.answer(SETTINGS_ROUTE, {
      body: aLinkedSettings({
        stripeUser: { linked: true, canResync: true, portalUserEmail: 'ana@acme.test', role: 'admin', message: 'You act in Sage Sync as ana@acme.test (admin), and can resync payments.' },
      }),
    });
    button(wrapper, 'I have linked my user')?.trigger('onPress');
    await update();
    expect(wrapper).toContainText('You act in Sage Sync as ana@acme.test (admin), and can resync payments.');
    expect(button(wrapper, 'Link my Stripe user')).toBeNull();
    expect(backend.requestsTo(SETTINGS_ROUTE)).toHaveLength(2);
  });

  it('tells a linked user whose role cannot resync why, without offering a link', async () => {
    stubBackend({
      [SETTINGS_ROUTE]: {
        body: aLinkedSettings({
          stripeUser: { linked: true, canResync: false, portalUserEmail: 'vic@acme.test', role: 'viewer', message: 'You act in Sage Sync as vic@acme.test (viewer): you can see sync statuses; resync needs the admin role.' },
        }),
      },
    });
    const { wrapper } = await renderSettings();

    expect(wrapper).toContainText('resync needs the admin role');
    expect(button(wrapper, 'Link my Stripe user')).toBeNull();
  });

  it('says what went wrong when no link can be made, and tries again on request', async () => {
    const backend = stubBackend({
      [SETTINGS_ROUTE]: { body: aLinkedSettings({ stripeUser: UNLINKED_USER }) },
      [LINK_ROUTE]: { status: 503, body: { error: { code: 'BACKEND_FAILED', message: 'Sage Sync could not answer just now.', retryable: true } } },
    });
    const { wrapper, update } = await renderSettings();
    button(wrapper, 'Link my Stripe user')?.trigger('onPress');
    await update();

    const banner = wrapper.findAll(Banner).find((candidate) => candidate.prop('title') === 'No link could be made');
    expect(banner?.prop('description')).toContain('Sage Sync could not answer just now.');
    backend.answer(LINK_ROUTE, { body: SIGNED_LINK });
    button(wrapper, 'Try again')?.trigger('onPress');
    await update();
    expect(button(wrapper, 'Continue to Sage Sync')).toHaveProps({ href: SIGNED_LINK.url });
  });

  it('shows a paused integration, and no user section when the backend does not send one', async () => {
    stubBackend({ [SETTINGS_ROUTE]: { body: aLinkedSettings({ integrationStatus: 'paused' }) } });
    const { wrapper } = await renderSettings();

    expect(wrapper).toContainText('Syncing is paused');
    expect(wrapper).not.toContainText('Your Stripe user');
  });
});
