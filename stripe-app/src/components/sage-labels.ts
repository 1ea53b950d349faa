import type { PostingMode, SageEdition } from '../api/contract';

// Values are the data model's enums (prisma/schema.prisma: SageEdition, PostingMode).
export const SAGE_EDITION_LABEL: Record<SageEdition, string> = {
  sage500: 'Sage 500',
  sage_pro: 'Sage Pro',
  sage50: 'Sage 50',
  sage_accounting: 'Sage Accounting',
};

export const POSTING_MODE_LABEL: Record<PostingMode, string> = {
  per_transaction: 'A receipt per transaction, then a payout journal',
  payout_summary: 'One summary journal per payout',
};
