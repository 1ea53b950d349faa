import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { ContextView, Spinner } from '@stripe/ui-extension-sdk/ui';
import { ErrorBanner } from '../components/error-banner';
import { PayoutList } from '../components/payout-list';
import { useBackendClient } from '../hooks/use-backend-client';
import { usePayouts } from '../hooks/use-backend-data';

/** `stripe.dashboard.balance.overview`: recent payouts and whether each reconciled in Sage. */
const BalanceOverviewView = (context: ExtensionContextValue) => {
  const payouts = usePayouts(useBackendClient(context));
  return (
    <ContextView title="Payout reconciliation" description="Recent payouts and their Sage journals">
      {payouts.status === 'loaded' ? (
        <PayoutList payouts={payouts.data.payouts} locale={context.userContext.locale} />
      ) : payouts.status === 'error' ? (
        <ErrorBanner
          title="Could not load payouts"
          error={payouts.error}
          onRetry={payouts.error.retryable ? payouts.reload : undefined}
        />
      ) : (
        <Spinner />
      )}
    </ContextView>
  );
};

export default BalanceOverviewView;
