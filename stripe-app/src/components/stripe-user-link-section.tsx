import { Banner, Box, Button, Inline } from '@stripe/ui-extension-sdk/ui';
import type { StripeUserLink } from '../api/contract';
import { formatTimestamp } from '../dates/format-timestamp';
import type { SignInLinkState } from '../hooks/use-sign-in-link';

type Props = {
  stripeUser: StripeUserLink;
  link: SignInLinkState;
  locale: string;
  onCreateLink: () => void;
  onLinkOpened: () => void;
  onCheckAgain: () => void;
};

/**
 * The Dashboard user's own link to a Sage Sync sign-in, once the account is linked. Resync acts as
 * that portal user, so an unlinked user gets the same single-use link as onboarding, which then
 * links only them.
 */
export function StripeUserLinkSection({ stripeUser, link, locale, onCreateLink, onLinkOpened, onCheckAgain }: Props) {
  return (
    <Box css={{ stack: 'y', gap: 'xsmall' }}>
      <Inline css={{ font: 'subheading' }}>Your Stripe user</Inline>
      <Inline>{stripeUser.message}</Inline>
      {stripeUser.linked ? null : <LinkSteps link={link} locale={locale} onCreateLink={onCreateLink} onLinkOpened={onLinkOpened} onCheckAgain={onCheckAgain} />}
    </Box>
  );
}

function LinkSteps({ link, locale, onCreateLink, onLinkOpened, onCheckAgain }: Omit<Props, 'stripeUser'>) {
  switch (link.status) {
    case 'idle':
      return (
        <Button type="primary" onPress={onCreateLink}>
          Link my Stripe user
        </Button>
      );
    case 'creating':
      return (
        <Button type="primary" pending disabled>
          Preparing a secure link…
        </Button>
      );
    case 'ready':
      return (
        <Box css={{ stack: 'y', gap: 'xsmall' }}>
          <Button type="primary" href={link.link.url} target="_blank" onPress={onLinkOpened}>
            Continue to Sage Sync
          </Button>
          <Inline css={{ font: 'caption', color: 'secondary' }}>
            Sign in there as yourself. The link works once and expires {formatTimestamp(link.link.expiresAt, locale)}.
          </Inline>
        </Box>
      );
    case 'used':
      return (
        <Box css={{ stack: 'y', gap: 'xsmall' }}>
          <Inline>Finish in the Sage Sync portal, then come back here.</Inline>
          <Box css={{ stack: 'x', gap: 'small' }}>
            <Button type="primary" onPress={onCheckAgain}>
              I have linked my user
            </Button>
            <Button onPress={onCreateLink}>Get a new link</Button>
          </Box>
        </Box>
      );
    case 'error':
      return (
        <Box css={{ stack: 'y', gap: 'xsmall' }}>
          <Banner type="critical" title="No link could be made" description={`${link.error.message} What to do: ${link.error.action}`} />
          <Button onPress={onCreateLink}>Try again</Button>
        </Box>
      );
  }
}
