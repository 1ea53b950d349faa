import type { RecordAttempt, SyncRecordView } from './record-types';

type SyncStatus = SyncRecordView['status'];

const STATUS_LABELS: Record<SyncStatus, string> = {
  synced: 'Synced',
  pending: 'Pending',
  failed: 'Failed, retrying',
  dead: 'Failed',
  held: 'Held for review',
  skipped: 'Skipped',
};

const STATUS_TONES: Record<SyncStatus, string> = {
  synced: 'border-emerald-300 bg-emerald-50 text-emerald-800',
  pending: 'border-slate-300 bg-slate-50 text-slate-700',
  failed: 'border-amber-300 bg-amber-50 text-amber-900',
  dead: 'border-red-300 bg-red-50 text-red-800',
  held: 'border-amber-300 bg-amber-50 text-amber-900',
  skipped: 'border-slate-300 bg-slate-50 text-slate-700',
};

export function syncStatusLabel(status: SyncStatus): string {
  return STATUS_LABELS[status];
}

export function syncStatusTone(status: SyncStatus): string {
  return STATUS_TONES[status];
}

const OUTCOME_LABELS: Record<RecordAttempt['outcome'], string> = {
  succeeded: 'Succeeded',
  failed: 'Failed, retry scheduled',
  dead: 'Failed, no retry left',
  held: 'Held for review',
  skipped: 'Skipped',
};

export function attemptOutcomeLabel(outcome: RecordAttempt['outcome']): string {
  return OUTCOME_LABELS[outcome];
}

const OBJECT_LABELS: Record<SyncRecordView['sourceObjectType'], string> = {
  charge: 'Charge',
  refund: 'Refund',
  dispute: 'Dispute',
  customer: 'Customer',
  invoice: 'Invoice',
  subscription: 'Subscription',
  payout: 'Payout',
  paytrace_sale: 'PayTrace sale',
  paytrace_refund: 'PayTrace refund',
  paytrace_customer: 'PayTrace customer',
  paytrace_batch: 'PayTrace settlement batch',
};

export function objectTypeLabel(type: SyncRecordView['sourceObjectType']): string {
  return OBJECT_LABELS[type];
}

const DOCUMENT_LABELS: Record<NonNullable<NonNullable<SyncRecordView['sageDocument']>['type']>, string> = {
  customer: 'Customer',
  sales_order: 'Sales order',
  invoice: 'Invoice',
  cash_receipt: 'Cash receipt',
  credit_memo: 'Credit memo',
  journal_entry: 'Journal entry',
};

export function sageDocumentTypeLabel(type: keyof typeof DOCUMENT_LABELS): string {
  return DOCUMENT_LABELS[type];
}

/** The reader's own zone and language; shown only in the browser, where both are known. */
export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function recordPath(id: string, orgId?: string): string {
  return `/records/${encodeURIComponent(id)}${orgId ? `?org=${encodeURIComponent(orgId)}` : ''}`;
}
