import { createHash } from 'node:crypto';
import { formatDecimal, parseDecimal } from '../../../accounting/money.ts';
import type { SageHttpClient, SageRequest, SageResponse } from '../http/sage-http-client.ts';
import { SageError } from '../sage-error.ts';
import { isRefusedFor, refusalToSageError, type RefusalContext } from './sage500-and-pro-errors.ts';

// Exactly once, exactly right, for Sage 500 and Sage Pro. A create whose answer was lost may have
// been committed; the retry's create is then answered "duplicate", and we resolve it to the record
// Sage already holds, provided that record is the one we meant (same amount, same currency, same
// Stripe customer). A record that differs is a real conflict for a person, never silently "synced".

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The Sage customer ID we give a Stripe customer when the mapping suggests none: "ST" and ten
 * base-32 characters of the Stripe id's SHA-256 (50 bits). The same Stripe customer always gets
 * the same ID, so a retried create after a lost answer meets "duplicate customer" instead of
 * creating a twin. Stripe ids are case-sensitive while ERP keys often are not, hence the hash and
 * upper-case alphabet rather than a slice of the Stripe id.
 */
export function customerCodeForStripeId(stripeCustomerId: string): string {
  const digest = createHash('sha256').update(stripeCustomerId, 'utf8').digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let index = 0; index < 10; index += 1) {
    code += CROCKFORD[Number((bits >> BigInt(64 - 5 * (index + 1))) & 31n)];
  }
  return `ST${code}`;
}

/** What we meant to post: the document's currency and total in minor units. */
export type IntendedAmount = { currency: string; totalMinor: bigint };

/**
 * A posted document as a dialect answers it, reduced to what the sync needs and what we check:
 * `sums` lists the amounts that must each add up to the intended total (an item document's total;
 * a journal's debits and, separately, its credits), as Sage's decimal strings.
 */
export type PostedDocument = { id: string; number: string; reference: string; currency: string; sums: string[][] };

/** How a posted document's amounts differ from what we meant, in words; null when they do not. Read exactly, never as floats. */
export function amountDifference(posted: PostedDocument, intended: IntendedAmount): string | null {
  const show = (minor: bigint, currency: string) => `${formatDecimal({ minor, currency })} ${currency}`;
  for (const parts of posted.sums) {
    let totalMinor = 0n;
    try {
      for (const part of parts) totalMinor += parseDecimal(part, posted.currency).minor;
    } catch {
      return `amounts we cannot read (${parts.join(', ')} ${posted.currency})`;
    }
    if (posted.currency !== intended.currency || totalMinor !== intended.totalMinor) {
      return `a total of ${show(totalMinor, posted.currency)} where we mean ${show(intended.totalMinor, intended.currency)}`;
    }
  }
  return null;
}

/** The check a posted (or found) document must pass: its amounts are the ones we meant. */
export function documentConflict(context: RefusalContext, intended: IntendedAmount) {
  return (posted: PostedDocument, found: 'created' | 'existing'): string | null => {
    const difference = amountDifference(posted, intended);
    if (difference === null) return null;
    const where = `${context.dialect} company ${context.companyId}`;
    return found === 'created'
      ? `${where} recorded ${context.subject} (${posted.number}) with ${difference}. Check it in Sage before resyncing; it will not be posted again.`
      : `${where} already holds ${context.subject} (${posted.number}) with ${difference}. It may have been posted by hand or the Stripe object changed; check it in Sage and correct one side.`;
  };
}

export type CreateOnceSpec<Answer> = {
  context: RefusalContext;
  request: SageRequest;
  /** The dialect's refusal code for "this key is taken". */
  duplicateCode: 'duplicate_reference' | 'duplicate_customer';
  /** Reads a created record (throws when the answer is unreadable). */
  read(response: SageResponse): Answer;
  /** The record holding the key after a duplicate answer; null when it cannot be found. */
  findExisting(): Promise<Answer | null>;
  /** Why a record is not the one we meant to create, for a finance admin; null when it is. */
  conflictWith(answer: Answer, found: 'created' | 'existing'): string | null;
};

export async function createOnce<Answer>(http: SageHttpClient, spec: CreateOnceSpec<Answer>): Promise<Answer> {
  const { context, request } = spec;
  const response = await http.request(request);
  const detail = (sageCodes: string[]) => ({ method: request.method, path: request.path, status: response.status, sageCodes, body: response.text.slice(0, 500) });
  if (response.status === 200 || response.status === 201) {
    const created = spec.read(response);
    const conflict = spec.conflictWith(created, 'created');
    if (conflict !== null) throw new SageError('SAGE_VALIDATION', conflict, detail([]));
    return created;
  }

  if (response.status === 409 && isRefusedFor(response, spec.duplicateCode)) {
    const existing = await spec.findExisting();
    if (existing !== null) {
      const conflict = spec.conflictWith(existing, 'existing');
      if (conflict === null) return existing;
      throw new SageError('SAGE_DUPLICATE_REFERENCE', conflict, detail([spec.duplicateCode]));
    }
  }
  throw refusalToSageError(context, request, response);
}
