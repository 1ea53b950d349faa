import { z } from 'zod';
import type { SageRequest, SageResponse } from '../http/sage-http-client.ts';
import { SageError, type SageErrorCode } from '../sage-error.ts';

// Sage 50's REST gateway answers refusals as `{ "errors": [{ "code", "field", "message" }] }`:
// 400 malformed (required, too_long, invalid_format, invalid_amount, bad_request), 404 not_found,
// 409 duplicate_reference / duplicate_customer, 422 ledger rules (unknown_customer,
// unknown_account, unknown_invoice, unbalanced_journal, closed_period). The transport has already
// turned 401, 429 and 5xx into SageErrors; this module reads the rest.

const BODY_EXCERPT = 2_000;

const ZSage50WireError = z.looseObject({
  code: z.string(),
  field: z.string().nullish(),
  message: z.string().nullish(),
});
export type Sage50WireError = z.infer<typeof ZSage50WireError>;

const ZSage50ErrorBody = z.looseObject({ errors: z.array(ZSage50WireError) });

export function readSage50Errors(body: unknown): Sage50WireError[] {
  const parsed = ZSage50ErrorBody.safeParse(body);
  return parsed.success ? parsed.data.errors : [];
}

export function isSage50DuplicateReference(response: SageResponse): boolean {
  return response.status === 409 && readSage50Errors(response.body).some((error) => error.code === 'duplicate_reference');
}

const MISSING_MASTER_DATA = new Set(['unknown_customer', 'unknown_account', 'unknown_invoice']);

/** One code for the whole answer: the problem a person has to solve first. */
function classify(status: number, errors: Sage50WireError[]): SageErrorCode {
  const codes = new Set(errors.map((error) => error.code));
  // A closed period blocks the document whatever else is wrong with it.
  if (codes.has('closed_period')) return 'SAGE_CLOSED_PERIOD';
  if ([...codes].some((code) => MISSING_MASTER_DATA.has(code))) return 'SAGE_MISSING_MASTER_DATA';
  if (codes.has('duplicate_reference') || codes.has('duplicate_customer')) return 'SAGE_DUPLICATE_REFERENCE';
  if (status === 404 || codes.has('not_found')) return 'SAGE_NOT_FOUND';
  return 'SAGE_VALIDATION';
}

const ADVICE: Record<SageErrorCode, string> = {
  SAGE_CLOSED_PERIOD: 'The accounting period is closed in Sage 50: reopen it, or change the posting date, then resync.',
  SAGE_MISSING_MASTER_DATA: 'Create the missing customer, GL account or invoice in Sage 50 (or point the GL rules or mapping at one that exists), then resync.',
  SAGE_DUPLICATE_REFERENCE: 'Another Sage 50 record already uses this reference or number: check it in Sage 50 before resyncing.',
  SAGE_NOT_FOUND: 'Sage 50 does not have the record this sync refers to: check that the company and record still exist.',
  SAGE_VALIDATION: 'Fix the field named in the field mappings or GL rules, then resync.',
  SAGE_NETWORK: '',
  SAGE_TIMEOUT: '',
  SAGE_UNAVAILABLE: '',
  SAGE_RATE_LIMITED: '',
  SAGE_AUTH_REVOKED: '',
};

/**
 * The SageError for a refused request. `action` names what we tried, for a finance reader:
 * "Invoice in_123", "Customer cus_9".
 */
export function sage50ErrorFor(request: SageRequest, response: SageResponse, action: string): SageError {
  const errors = readSage50Errors(response.body);
  const code = classify(response.status, errors);
  const reasons = errors.map((error) => (error.field ? `${error.field}: ${error.message ?? error.code}` : (error.message ?? error.code)));
  const said = reasons.length > 0 ? reasons.join('; ') : `HTTP ${response.status}`;
  return new SageError(code, `${action} was refused by Sage 50 (${said}). ${ADVICE[code]}`, {
    method: request.method,
    path: request.path,
    status: response.status,
    sageCodes: [...new Set(errors.map((error) => error.code))],
    body: response.text.slice(0, BODY_EXCERPT),
    ...(errors[0]?.field ? { field: errors[0].field } : {}),
  });
}

/** Sage answered 2xx with a body we cannot read: treated like a lost answer, so a retry looks it up. */
export function unreadableSage50Answer(request: SageRequest, response: SageResponse, action: string, problem: string): SageError {
  return new SageError(
    'SAGE_UNAVAILABLE',
    `${action}: Sage 50 answered in a form we could not read (${problem}). We will retry; the retry looks the document up by its reference before posting anything.`,
    { method: request.method, path: request.path, status: response.status, body: response.text.slice(0, BODY_EXCERPT) },
  );
}
