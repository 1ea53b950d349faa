import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { SettingsView, Spinner } from '@stripe/ui-extension-sdk/ui';
import { ErrorBanner } from '../components/error-banner';
import { LinkAccountSignIn } from '../components/link-account-sign-in';
import { LinkedSettings } from '../components/linked-settings';
import { useBackendClient } from '../hooks/use-backend-client';
import { useSettings } from '../hooks/use-backend-data';
import { useSignInLink } from '../hooks/use-sign-in-link';

/**
 * `settings` (also where the app lands after install): a sign-in that links the Stripe account
 * to a portal organization while it is not linked, then the connection state and posting mode.
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
        <LinkedSettings settings={settings.data} />
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
