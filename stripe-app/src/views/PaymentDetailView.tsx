import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Banner, Box, ContextView, Divider, Inline, Spinner } from '@stripe/ui-extension-sdk/ui';
import { canResync } from '../access/can-resync';
import type { ChargeStatus } from '../api/contract';
import { paymentObjectId } from '../api/payment-object-id';
import { AttemptHistory } from '../components/attempt-history';
import { ErrorBanner } from '../components/error-banner';
import { ResyncButton } from '../components/resync-button';
import { SyncRecordSummary } from '../components/sync-record-summary';
import { useBackendClient } from '../hooks/use-backend-client';
import { useChargeStatus } from '../hooks/use-backend-data';
import { useResync, type ResyncControl } from '../hooks/use-resync';

/** `stripe.dashboard.payment.detail`: where this payment stands in Sage, and a Resync. */
const PaymentDetailView = (context: ExtensionContextValue) => {
  const client = useBackendClient(context);
  const objectId = paymentObjectId(context.environment.objectContext);
  const status = useChargeStatus(client, objectId);
  const resync = useResync(client, status.reload);
  const locale = context.userContext.locale;

  return (
    <ContextView
      title="Sage sync"
      description="Where this payment stands in Sage"
      externalLink={
        status.status === 'loaded' ? { label: 'Open in Sage Sync portal', href: status.data.charge.portalUrl } : undefined
      }
    >
      {objectId === null ? (
        <Banner
          type="caution"
          title="This is not a payment Sage Sync can look up"
          description="Open a payment or a charge to see its Sage status."
        />
      ) : status.status === 'loading' || status.status === 'idle' ? (
        <Spinner />
      ) : status.status === 'error' ? (
        <ErrorBanner
          title="Could not load the Sage status"
          error={status.error}
          onRetry={status.error.retryable ? status.reload : undefined}
        />
      ) : (
        <ChargeSyncDetail data={status.data} locale={locale} resync={canResync(context) ? resync : null} />
      )}
    </ContextView>
  );
};

type DetailProps = { data: ChargeStatus; locale: string; resync: ResyncControl | null };

function ChargeSyncDetail({ data, locale, resync }: DetailProps) {
  const { charge, refunds, dispute, attempts } = data;
  return (
    <Box css={{ stack: 'y', gap: 'large' }}>
      {resync?.failure ? (
        <ErrorBanner title="Resync failed" error={resync.failure.error} onDismiss={resync.dismissFailure} />
      ) : null}
      <SyncRecordSummary heading="Charge" record={charge} locale={locale} />
      {resync ? (
        <ResyncButton pending={resync.isPending(charge.id)} onPress={() => void resync.resync(charge.id)} />
      ) : null}
      {refunds.length > 0 ? (
        <Box css={{ stack: 'y', gap: 'medium' }}>
          <Divider />
          {refunds.map((refund) => (
            <SyncRecordSummary key={refund.id} heading="Refund" record={refund} locale={locale} />
          ))}
        </Box>
      ) : null}
      {dispute ? (
        <Box css={{ stack: 'y', gap: 'medium' }}>
          <Divider />
          <SyncRecordSummary heading="Dispute" record={dispute} locale={locale} />
        </Box>
      ) : null}
      <Divider />
      <AttemptHistory attempts={attempts} locale={locale} />
      {!resync ? (
        <Inline css={{ font: 'caption', color: 'secondary' }}>
          Your Dashboard role can view the Sage status; a role that can edit payments can resync.
        </Inline>
      ) : null}
    </Box>
  );
}

export default PaymentDetailView;
