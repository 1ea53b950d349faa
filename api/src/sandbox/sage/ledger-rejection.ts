// The one vocabulary of refusals the sandbox uses. Each dialect renders these in its own error
// shape and status codes, with field names in its own casing.

export const REJECTION_CODES = [
  'required',
  'too_long',
  'invalid_format',
  'invalid_amount',
  'unknown_customer',
  'unknown_account',
  'unknown_invoice',
  'unknown_bank_account',
  'unbalanced_journal',
  'duplicate_reference',
  'duplicate_customer',
  'closed_period',
  'not_found',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A path into the normalized document, e.g. ['lines', 0, 'account']; dialects map it to their wire names. */
export type FieldPath = (string | number)[];

export type RejectionIssue = { code: RejectionCode; path: FieldPath; message: string };

export class LedgerRejection extends Error {
  readonly issues: RejectionIssue[];

  constructor(issues: RejectionIssue[]) {
    super(issues.map((issue) => issue.message).join('; '));
    this.name = 'LedgerRejection';
    this.issues = issues;
  }

}

const SHAPE_CODES: ReadonlySet<RejectionCode> = new Set(['required', 'too_long', 'invalid_format', 'invalid_amount']);

/** The status Sage 500, Pro and 50 answer with: 404 missing, 409 duplicate, 400 malformed, 422 refused by a ledger rule. */
export function statusForRejection(codes: RejectionCode[]): 400 | 404 | 409 | 422 {
  if (codes.includes('not_found')) return 404;
  if (codes.includes('duplicate_reference') || codes.includes('duplicate_customer')) return 409;
  if (codes.every((code) => SHAPE_CODES.has(code))) return 400;
  return 422;
}

export function rejectWhen(issues: RejectionIssue[]): void {
  if (issues.length > 0) throw new LedgerRejection(issues);
}
