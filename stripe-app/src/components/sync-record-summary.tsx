import { Box, Inline } from '@stripe/ui-extension-sdk/ui';
import type { SyncRecord } from '../api/contract';
import { formatMoney } from '../money/format-money';
import { SyncStatusBadge } from './sync-status-badge';
import { sageDocumentLabel } from './sync-status-text';

type Props = { heading: string; record: SyncRecord; locale: string };

/** One Stripe object's place in Sage: its badge, and what the status means for the reader. */
export function SyncRecordSummary({ heading, record, locale }: Props) {
  const amount =
    record.amountMinor !== undefined && record.currency ? formatMoney(record.amountMinor, record.currency, locale) : null;
  return (
    <Box css={{ stack: 'y', gap: 'xsmall' }}>
      <Inline css={{ font: 'subheading' }}>{amount ? `${heading} · ${amount}` : heading}</Inline>
      <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
        <SyncStatusBadge status={record.status} />
        <Inline css={{ font: 'caption', color: 'secondary' }}>{record.id}</Inline>
      </Box>
      <StatusExplanation record={record} />
    </Box>
  );
}

function StatusExplanation({ record }: { record: SyncRecord }) {
  switch (record.status) {
    case 'synced':
      return (
        <Inline>
          {record.sageDocumentType && record.sageDocumentNumber
            ? `Posted to Sage as ${sageDocumentLabel(record.sageDocumentType)} ${record.sageDocumentNumber}.`
            : 'Posted to Sage.'}
        </Inline>
      );
    case 'pending':
      return <Inline>Waiting to be posted to Sage.</Inline>;
    case 'failed':
      return <ErrorExplanation record={record} lead="Sage did not accept it." />;
    case 'dead':
      return <ErrorExplanation record={record} lead="Sage Sync stopped retrying after repeated failures." />;
    case 'held':
      return (
        <Box css={{ stack: 'y', gap: 'xxsmall' }}>
          <Inline>Held for review before posting. Reasons:</Inline>
          {(record.anomalyReasons ?? []).length > 0 ? (
            (record.anomalyReasons ?? []).map((reason) => <Inline key={reason}>• {reason}</Inline>)
          ) : (
            <Inline>• No reason was recorded.</Inline>
          )}
          <Inline css={{ color: 'secondary' }}>A reviewer approves or rejects it in the portal&apos;s review queue.</Inline>
        </Box>
      );
    case 'skipped':
      return (
        <Inline>
          {record.error ? `Not posted to Sage: ${record.error.message}` : 'Not posted to Sage, by rule or by a reviewer.'}
        </Inline>
      );
    case 'not_synced':
      return record.error ? <ErrorExplanation record={record} lead="Not synced to Sage yet." /> : <Inline>Not synced to Sage yet.</Inline>;
  }
}

function ErrorExplanation({ record, lead }: { record: SyncRecord; lead: string }) {
  return (
    <Box css={{ stack: 'y', gap: 'xxsmall' }}>
      <Inline>{record.error ? record.error.message : lead}</Inline>
      {record.error ? <Inline css={{ font: 'bodyEmphasized' }}>What to do: {record.error.action}</Inline> : null}
    </Box>
  );
}
