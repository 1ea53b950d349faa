import { SignInView, type SignInViewProps } from '@stripe/ui-extension-sdk/ui';
import type { SignInLinkState } from '../hooks/use-sign-in-link';
import { formatTimestamp } from '../dates/format-timestamp';

type Props = {
  state: SignInLinkState;
  locale: string;
  onCreateLink: () => void;
  onLinkOpened: () => void;
  onCheckAgain: () => void;
};

const ABOUT =
  'Sage Sync posts your Stripe charges, refunds, disputes and payouts to Sage. Link this Stripe account to your Sage Sync organization to see the Sage status of every payment here.';

/** Onboarding: link this Stripe account to a portal organization through a signed, single-use link. */
export function LinkAccountSignIn({ state, locale, onCreateLink, onLinkOpened, onCheckAgain }: Props) {
  const checkAgain = { label: 'I have linked the account', onPress: onCheckAgain };
  const props: SignInViewProps = (() => {
    switch (state.status) {
      case 'idle':
        return { description: ABOUT, primaryAction: { label: 'Link to Sage Sync', onPress: onCreateLink } };
      case 'creating':
        return { description: ABOUT, primaryAction: { label: 'Preparing a secure link…', onPress: () => undefined } };
      case 'ready':
        return {
          description: `${ABOUT} The link opens the Sage Sync portal; it works once and expires ${formatTimestamp(state.link.expiresAt, locale)}.`,
          primaryAction: { label: 'Continue to Sage Sync', href: state.link.url, target: '_blank', onPress: onLinkOpened },
          secondaryAction: checkAgain,
        };
      case 'used':
        return {
          description: 'Finish linking in the Sage Sync portal, then come back here. The link works once; get a new one to start again.',
          primaryAction: checkAgain,
          secondaryAction: { label: 'Get a new link', onPress: onCreateLink },
        };
      case 'error':
        return {
          description: `${state.error.message} What to do: ${state.error.action}`,
          primaryAction: { label: 'Try again', onPress: onCreateLink },
        };
    }
  })();
  return <SignInView {...props} />;
}
