import type { BadgeProps } from '@stripe/ui-extension-sdk/ui';
import type { AttemptOutcome, PayoutState, SyncStatus } from '../api/contract';

type BadgeStyle = { label: string; type: NonNullable<BadgeProps['type']> };

export const SYNC_STATUS_BADGE: Record<SyncStatus, BadgeStyle> = {
  synced: { label: 'Synced', type: 'positive' },
  pending: { label: 'Pending', type: 'info' },
  failed: { label: 'Failed', type: 'negative' },
  held: { label: 'Held for review', type: 'warning' },
  skipped: { label: 'Skipped', type: 'neutral' },
  dead: { label: 'Dead', type: 'urgent' },
  not_synced: { label: 'Not synced', type: 'neutral' },
};

export const ATTEMPT_OUTCOME_LABEL: Record<AttemptOutcome, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  held: 'Held for review',
  skipped: 'Skipped',
  dead: 'Gave up',
};

export const PAYOUT_STATE_BADGE: Record<PayoutState, BadgeStyle> = {
  posted: { label: 'Journal posted', type: 'positive' },
  held: { label: 'Held', type: 'warning' },
  pending: { label: 'Pending', type: 'info' },
  failed: { label: 'Failed', type: 'negative' },
};

const SAGE_DOCUMENT_LABEL: Record<string, string> = {
  cash_receipt: 'Cash receipt',
  invoice: 'Invoice',
  credit_memo: 'Credit memo',
  journal_entry: 'Journal entry',
  sales_order: 'Sales order',
  payment: 'Payment',
  customer: 'Customer',
};

/** `cash_receipt` → `Cash receipt`; an unknown type is shown in words rather than hidden. */
export function sageDocumentLabel(type: string): string {
  const known = SAGE_DOCUMENT_LABEL[type];
  if (known) return known;
  const words = type.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
