import { z } from 'zod';
import type { SageRequest, SageResponse } from '../http/sage-http-client.ts';
import { SageError, type SageErrorCode } from '../sage-error.ts';

// Sage Accounting (v3.1) answers every refusal as an array of
// `{ "$severity", "$dataCode", "$message", "$source" }`. Validation of any kind is one data code,
// `RecordInvalid` (422): what went wrong is told by `$source` (the field) and `$message`, so the
// class of the problem is read from those. 401, 429 and 5xx never reach this module (the transport
// turns them into SageErrors).

const BODY_EXCERPT = 2_000;

const ZCloudError = z.looseObject({
  $severity: z.string().nullish(),
  $dataCode: z.string(),
  $message: z.string().nullish(),
  $source: z.string().nullish(),
});
export type CloudError = z.infer<typeof ZCloudError>;

export function readCloudErrors(body: unknown): CloudError[] {
  const list = z.array(ZCloudError).safeParse(body);
  if (list.success) return list.data;
  const wrapped = z.looseObject({ errors: z.array(ZCloudError) }).safeParse(body);
  return wrapped.success ? wrapped.data.errors : [];
}

function isTakenReference(error: CloudError): boolean {
  return error.$dataCode === 'RecordInvalid' && error.$source === 'reference' && /already been taken/i.test(error.$message ?? '');
}

/** 422 RecordInvalid on `reference`, "has already been taken": Sage already has this document. */
export function isCloudDuplicateReference(response: SageResponse): boolean {
  return response.status === 422 && readCloudErrors(response.body).some(isTakenReference);
}

function codeOf(error: CloudError): SageErrorCode {
  if (error.$dataCode === 'RecordNotFound') return 'SAGE_NOT_FOUND';
  if (isTakenReference(error)) return 'SAGE_DUPLICATE_REFERENCE';
  const source = error.$source ?? '';
  const message = error.$message ?? '';
  if (/(^|[._])date$/.test(source) && /clos|lock|period/i.test(message)) return 'SAGE_CLOSED_PERIOD';
  // Every record we point at travels as an id (contact, ledger account, bank account, invoice):
  // Sage refusing one because it does not exist is missing master data, not a malformed request.
  if (/(_id|\.id)$/.test(source) && /does not exist|not found|unknown/i.test(message)) return 'SAGE_MISSING_MASTER_DATA';
  return 'SAGE_VALIDATION';
}

/** One code for the whole answer: the problem a person has to solve first. */
const PRIORITY: SageErrorCode[] = ['SAGE_CLOSED_PERIOD', 'SAGE_MISSING_MASTER_DATA', 'SAGE_DUPLICATE_REFERENCE', 'SAGE_NOT_FOUND', 'SAGE_VALIDATION'];

const ADVICE: Partial<Record<SageErrorCode, string>> = {
  SAGE_CLOSED_PERIOD: 'The period is closed (locked) in Sage Accounting: reopen it, or change the posting date, then resync.',
  SAGE_MISSING_MASTER_DATA: 'Create the missing contact, ledger account, bank account or invoice in Sage Accounting (or point the GL rules or mapping at one that exists), then resync.',
  SAGE_DUPLICATE_REFERENCE: 'Another Sage Accounting record already uses this reference: check it in Sage Accounting before resyncing.',
  SAGE_NOT_FOUND: 'Sage Accounting does not have the record this sync refers to: check that the business and record still exist.',
  SAGE_VALIDATION: 'Fix the field named in the field mappings or GL rules, then resync.',
};

export function sageAccountingErrorFor(request: SageRequest, response: SageResponse, action: string): SageError {
  const errors = readCloudErrors(response.body);
  const codes = errors.map(codeOf);
  const code = PRIORITY.find((candidate) => codes.includes(candidate)) ?? (response.status === 404 ? 'SAGE_NOT_FOUND' : 'SAGE_VALIDATION');
  const reasons = errors.map((error) => (error.$source ? `${error.$source}: ${error.$message ?? error.$dataCode}` : (error.$message ?? error.$dataCode)));
  const said = reasons.length > 0 ? reasons.join('; ') : `HTTP ${response.status}`;
  return new SageError(code, `${action} was refused by Sage Accounting (${said}). ${ADVICE[code] ?? ''}`.trim(), {
    method: request.method,
    path: request.path.split('?')[0] ?? request.path,
    status: response.status,
    sageCodes: [...new Set(errors.map((error) => (error.$source ? `${error.$dataCode}:${error.$source}` : error.$dataCode)))],
    body: response.text.slice(0, BODY_EXCERPT),
    ...(errors[0]?.$source ? { field: errors[0].$source } : {}),
  });
}

/** Sage answered 2xx with a body we cannot read: treated like a lost answer, so a retry looks it up. */
export function unreadableCloudAnswer(request: SageRequest, response: SageResponse, action: string, problem: string): SageError {
  return new SageError(
    'SAGE_UNAVAILABLE',
    `${action}: Sage Accounting answered in a form we could not read (${problem}). We will retry; the retry looks the document up by its reference (and replays its idempotency id) before posting anything.`,
    { method: request.method, path: request.path.split('?')[0] ?? request.path, status: response.status, body: response.text.slice(0, BODY_EXCERPT) },
  );
}
