import { Box, Divider, Inline, Link } from '@stripe/ui-extension-sdk/ui';
import type { SyncFailure } from '../api/contract';
import { formatTimestamp } from '../dates/format-timestamp';
import { formatMoney } from '../money/format-money';
import { ResyncButton } from './resync-button';
import { SyncStatusBadge } from './sync-status-badge';

type Props = {
  failures: SyncFailure[];
  locale: string;
  /** `null` hides Resync (read-only users). */
  resync: { isPending: (chargeId: string) => boolean; onResync: (chargeId: string) => void } | null;
};

const KIND_LABEL: Record<SyncFailure['kind'], string> = { charge: 'Charge', refund: 'Refund', dispute: 'Dispute' };

/** The newest failures, each with what went wrong, what to do, and a Resync for those who may. */
export function FailureList({ failures, locale, resync }: Props) {
  if (failures.length === 0) {
    return <Inline css={{ color: 'secondary' }}>No recent failures.</Inline>;
  }
  return (
    <Box css={{ stack: 'y', gap: 'medium' }}>
      {failures.map((failure, index) => (
        <Box key={failure.objectId} css={{ stack: 'y', gap: 'xxsmall' }}>
          {index > 0 ? <Divider /> : null}
          <Box css={{ stack: 'x', gap: 'small', alignY: 'center', distribute: 'space-between' }}>
            <Inline css={{ font: 'bodyEmphasized' }}>
              {KIND_LABEL[failure.kind]} · {formatMoney(failure.amountMinor, failure.currency, locale)}
            </Inline>
            <SyncStatusBadge status={failure.status} />
          </Box>
          <Inline css={{ font: 'caption', color: 'secondary' }}>
            {failure.objectId} · {formatTimestamp(failure.at, locale)}
          </Inline>
          <Inline>{failure.error.message}</Inline>
          <Inline css={{ font: 'bodyEmphasized' }}>What to do: {failure.error.action}</Inline>
          <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
            {resync ? (
              <ResyncButton
                size="small"
                pending={resync.isPending(failure.chargeId)}
                onPress={() => resync.onResync(failure.chargeId)}
              />
            ) : null}
            <Link href={failure.portalUrl} target="_blank" external>
              Open in portal
            </Link>
          </Box>
        </Box>
      ))}
    </Box>
  );
}
