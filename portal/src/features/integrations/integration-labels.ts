import type { Integration, PostingMode } from '@/trpc/router-types';

const SAGE_EDITION_LABELS: Record<Integration['sageEdition'], string> = {
  sage500: 'Sage 500',
  sage_pro: 'Sage Pro',
  sage50: 'Sage 50',
  sage_accounting: 'Sage Accounting',
};

export function sageEditionLabel(edition: Integration['sageEdition']): string {
  return SAGE_EDITION_LABELS[edition] ?? edition;
}

export const POSTING_MODE_OPTIONS: ReadonlyArray<{ value: PostingMode; label: string; description: string }> = [
  { value: 'per_transaction', label: 'Per transaction', description: 'one Sage document per Stripe transaction' },
  { value: 'payout_summary', label: 'Payout summary', description: 'one summary entry per Stripe payout' },
];

export function postingModeLabel(mode: PostingMode): string {
  return POSTING_MODE_OPTIONS.find((option) => option.value === mode)?.label ?? mode;
}

export function postingModeDescription(mode: PostingMode): string {
  return POSTING_MODE_OPTIONS.find((option) => option.value === mode)?.description ?? mode;
}

export function statusLabel(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function statusTone(status: string): string {
  if (['active', 'connected', 'healthy', 'ok'].includes(status)) return 'border-emerald-300 bg-emerald-50 text-emerald-800';
  if (['error', 'failed', 'disconnected', 'revoked'].includes(status)) return 'border-red-300 bg-red-50 text-red-800';
  return 'border-slate-300 bg-slate-50 text-slate-700';
}
