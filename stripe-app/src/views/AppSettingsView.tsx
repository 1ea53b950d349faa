import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Box, SettingsView, Spinner } from '@stripe/ui-extension-sdk/ui';
import { ErrorBanner } from '../components/error-banner';
import { LinkAccountSignIn } from '../components/link-account-sign-in';
import { LinkedSettings } from '../components/linked-settings';
import { StripeUserLinkSection } from '../components/stripe-user-link-section';
import { useBackendClient } from '../hooks/use-backend-client';
import { useSettings } from '../hooks/use-backend-data';
import { useSignInLink } from '../hooks/use-sign-in-link';

/**
 * `settings` (also where the app lands after install): a sign-in that links the Stripe account
 * to a portal organization while it is not linked, then the connection state and posting mode,
 * and the Dashboard user's own link to a Sage Sync sign-in (what Resync acts as).
 */
const AppSettingsView = (context: ExtensionContextValue) => {
  const client = useBackendClient(context);
  const settings = useSettings(client);
  const signIn = useSignInLink(client);

  if (settings.status === 'loaded' && !settings.data.linked) {
    return (
      <LinkAccountSignIn
        state={signIn.state}
        locale={context.userContext.locale}
        onCreateLink={() => void signIn.create()}
        onLinkOpened={signIn.markUsed}
        onCheckAgain={settings.reload}
      />
    );
  }
  return (
    <SettingsView>
      {settings.status === 'loaded' ? (
        <Box css={{ stack: 'y', gap: 'large' }}>
          <LinkedSettings settings={settings.data} />
          {settings.data.stripeUser ? (
            <StripeUserLinkSection
              stripeUser={settings.data.stripeUser}
              link={signIn.state}
              locale={context.userContext.locale}
              onCreateLink={() => void signIn.create()}
              onLinkOpened={signIn.markUsed}
              onCheckAgain={settings.reload}
            />
          ) : null}
        </Box>
      ) : settings.status === 'error' ? (
        <ErrorBanner
          title="Could not load the Sage Sync settings"
          error={settings.error}
          onRetry={settings.error.retryable ? settings.reload : undefined}
        />
      ) : (
        <Spinner />
      )}
    </SettingsView>
  );
};

export default AppSettingsView;
