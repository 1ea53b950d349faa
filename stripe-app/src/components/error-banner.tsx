import { Banner, Box, Button } from '@stripe/ui-extension-sdk/ui';
import type { UserFacingError } from '../api/contract';

type Props = {
  title: string;
  error: UserFacingError;
  /** Offered only when trying again can help. */
  onRetry?: (() => void) | undefined;
  onDismiss?: (() => void) | undefined;
};

/** A failure in the user's words: what happened, and what to do. */
export function ErrorBanner({ title, error, onRetry, onDismiss }: Props) {
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Banner
        type="critical"
        title={title}
        description={`${error.message} What to do: ${error.action}`}
        onDismiss={onDismiss}
      />
      {onRetry ? (
        <Button size="small" onPress={onRetry}>
          Try again
        </Button>
      ) : null}
    </Box>
  );
}
