import { Badge, Box, Divider, Inline } from '@stripe/ui-extension-sdk/ui';
import type { PayoutReconciliation } from '../api/contract';
import { formatCalendarDate } from '../dates/format-timestamp';
import { formatMoney } from '../money/format-money';
import { PAYOUT_STATE_BADGE } from './sync-status-text';

/** Recent payouts, each with whether its reconciliation journal reached Sage and balanced. */
export function PayoutList({ payouts, locale }: { payouts: PayoutReconciliation[]; locale: string }) {
  if (payouts.length === 0) {
    return <Inline css={{ color: 'secondary' }}>No payouts yet.</Inline>;
  }
  return (
    <Box css={{ stack: 'y', gap: 'medium' }}>
      {payouts.map((payout, index) => (
        <Box key={payout.id} css={{ stack: 'y', gap: 'xsmall' }}>
          {index > 0 ? <Divider /> : null}
          <PayoutRow payout={payout} locale={locale} />
        </Box>
      ))}
    </Box>
  );
}

function PayoutRow({ payout, locale }: { payout: PayoutReconciliation; locale: string }) {
  const badge = PAYOUT_STATE_BADGE[payout.state];
  return (
    <Box css={{ stack: 'y', gap: 'xxsmall' }}>
      <Box css={{ stack: 'x', gap: 'small', alignY: 'center', distribute: 'space-between' }}>
        <Inline css={{ font: 'bodyEmphasized' }}>{formatMoney(payout.amountMinor, payout.currency, locale)}</Inline>
        <Badge type={badge.type}>{badge.label}</Badge>
      </Box>
      <Inline css={{ font: 'caption', color: 'secondary' }}>
        {payout.id} · arrives {formatCalendarDate(payout.arrivalDate, locale)}
      </Inline>
      <Inline>{reconciliationSentence(payout, locale)}</Inline>
      {payout.state === 'failed' && payout.error ? (
        <Inline css={{ font: 'bodyEmphasized' }}>What to do: {payout.error.action}</Inline>
      ) : null}
    </Box>
  );
}

function reconciliationSentence(payout: PayoutReconciliation, locale: string): string {
  switch (payout.state) {
    case 'posted':
      return payout.journalNumber
        ? `Journal ${payout.journalNumber} posted and balanced.`
        : 'Journal posted and balanced.';
    case 'held':
      return payout.differenceMinor !== undefined
        ? `Held: the journal differs from the payout's transactions by ${formatMoney(payout.differenceMinor, payout.currency, locale)}.`
        : "Held: the journal does not match the payout's transactions.";
    case 'pending':
      return 'Waiting for its transactions to post before the journal is made.';
    case 'failed':
      return payout.error ? `Journal not posted: ${payout.error.message}` : 'Journal not posted.';
  }
}
