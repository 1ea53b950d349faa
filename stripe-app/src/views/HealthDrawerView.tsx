import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Box, ContextView, Divider, Inline, Link, Spinner } from '@stripe/ui-extension-sdk/ui';
import { canResync } from '../access/can-resync';
import { ErrorBanner } from '../components/error-banner';
import { FailureList } from '../components/failure-list';
import { IntegrationHealthSummary } from '../components/integration-health-summary';
import { useBackendClient } from '../hooks/use-backend-client';
import { useHealth } from '../hooks/use-backend-data';
import { useResync } from '../hooks/use-resync';

/** `stripe.dashboard.drawer.default`: integration health, newest failures, and the review queue. */
const HealthDrawerView = (context: ExtensionContextValue) => {
  const client = useBackendClient(context);
  const health = useHealth(client);
  const resync = useResync(client, health.reload);
  const locale = context.userContext.locale;
  const mayResync = canResync(context);

  return (
    <ContextView title="Sage Sync health" description="Integration health at a glance">
      {health.status === 'loaded' ? (
        <Box css={{ stack: 'y', gap: 'large' }}>
          {mayResync && resync.failure ? (
            <ErrorBanner title="Resync failed" error={resync.failure.error} onDismiss={resync.dismissFailure} />
          ) : null}
          <IntegrationHealthSummary integration={health.data.integration} locale={locale} />
          <Divider />
          <Box css={{ stack: 'y', gap: 'xsmall' }}>
            <Inline css={{ font: 'subheading' }}>Held for review</Inline>
            <Inline>
              {health.data.heldCount === 1
                ? '1 item is held for review.'
                : `${health.data.heldCount} items are held for review.`}
            </Inline>
            <Link href={health.data.reviewQueueUrl} target="_blank" external>
              Open the review queue
            </Link>
          </Box>
          <Divider />
          <Box css={{ stack: 'y', gap: 'xsmall' }}>
            <Inline css={{ font: 'subheading' }}>Newest failures</Inline>
            <FailureList
              failures={health.data.failures}
              locale={locale}
              resync={mayResync ? { isPending: resync.isPending, onResync: (id) => void resync.resync(id) } : null}
            />
          </Box>
        </Box>
      ) : health.status === 'error' ? (
        <ErrorBanner
          title="Could not load the integration health"
          error={health.error}
          onRetry={health.error.retryable ? health.reload : undefined}
        />
      ) : (
        <Spinner />
      )}
    </ContextView>
  );
};

export default HealthDrawerView;
