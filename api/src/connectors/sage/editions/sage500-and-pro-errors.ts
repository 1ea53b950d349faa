import { z } from 'zod';
import { currencyExponent, formatDecimal } from '../../../accounting/money.ts';
import type { SageRequest, SageResponse } from '../http/sage-http-client.ts';
import { SageError, type SageErrorCode } from '../sage-error.ts';

// Sage 500 and Sage Pro word their refusals alike: `{ errors: [{ code, field, message }] }` with
// 400/404/409/422. This module turns such an answer into one SageError a finance admin can act on,
// and refuses bad input at the connector's door before anything is sent.

export type DialectName = 'Sage 500' | 'Sage Pro';

/** Who is speaking and about what, for messages: "Sage 500 company demo-500", "invoice in_123". */
export type RefusalContext = { dialect: DialectName; companyId: string; subject: string };

const ZFieldError = z.object({ code: z.string(), field: z.string().nullish(), message: z.string().nullish() });
const ZDialectErrors = z.object({ errors: z.array(ZFieldError).min(1) });
export type DialectFieldError = z.infer<typeof ZFieldError>;

const BODY_EXCERPT = 500;

/** The field errors of a refusal; empty when the body is not in the dialect's error shape. */
export function fieldErrorsOf(response: SageResponse): DialectFieldError[] {
  const parsed = ZDialectErrors.safeParse(response.body);
  return parsed.success ? parsed.data.errors : [];
}

export function isRefusedFor(response: SageResponse, code: string): boolean {
  return fieldErrorsOf(response).some((error) => error.code === code);
}

const CODE_FOR: Record<string, SageErrorCode> = {
  required: 'SAGE_VALIDATION',
  too_long: 'SAGE_VALIDATION',
  invalid_format: 'SAGE_VALIDATION',
  invalid_amount: 'SAGE_VALIDATION',
  bad_request: 'SAGE_VALIDATION',
  unbalanced_journal: 'SAGE_VALIDATION',
  unknown_customer: 'SAGE_MISSING_MASTER_DATA',
  unknown_account: 'SAGE_MISSING_MASTER_DATA',
  unknown_invoice: 'SAGE_MISSING_MASTER_DATA',
  closed_period: 'SAGE_CLOSED_PERIOD',
  duplicate_reference: 'SAGE_DUPLICATE_REFERENCE',
  duplicate_customer: 'SAGE_DUPLICATE_REFERENCE',
  not_found: 'SAGE_NOT_FOUND',
};

// When one answer carries several problems, the error's code is the one that most changes what a
// person does next; the message still lists every problem, so one fix round covers them all.
const PRECEDENCE: SageErrorCode[] = ['SAGE_NOT_FOUND', 'SAGE_MISSING_MASTER_DATA', 'SAGE_CLOSED_PERIOD', 'SAGE_DUPLICATE_REFERENCE', 'SAGE_VALIDATION'];

function codeForStatus(status: number): SageErrorCode {
  if (status === 404) return 'SAGE_NOT_FOUND';
  if (status === 409) return 'SAGE_DUPLICATE_REFERENCE';
  if (status === 401 || status === 403) return 'SAGE_AUTH_REVOKED';
  return 'SAGE_VALIDATION';
}

/** A 4xx answer (other than the duplicate a caller resolves) as the SageError the sync engine branches on. */
export function refusalToSageError(context: RefusalContext, request: SageRequest, response: SageResponse): SageError {
  const errors = fieldErrorsOf(response);
  const codes = errors.map((error) => CODE_FOR[error.code] ?? codeForStatus(response.status));
  const code = response.status === 404 ? 'SAGE_NOT_FOUND' : (PRECEDENCE.find((candidate) => codes.includes(candidate)) ?? codeForStatus(response.status));
  const primary = errors.find((_error, index) => codes[index] === code) ?? errors[0];

  const sentences =
    code === 'SAGE_NOT_FOUND'
      ? [`${context.dialect} company ${context.companyId} (or its ${request.path} endpoint) was not found at the configured address. Check the company ID and URL in the Sage connection settings.`]
      : code === 'SAGE_AUTH_REVOKED'
        ? [`${context.dialect} refused access to company ${context.companyId}. Reconnect Sage in the portal (Integrations → Connect) to resume syncing.`]
        : errors.length > 0
          ? errors.map((error) => sentenceFor(context, request, error))
          : [`${context.dialect} refused ${context.subject} (HTTP ${response.status}). Check the item's mapping, then resync.`];

  return new SageError(code, sentences.join(' '), {
    method: request.method,
    path: request.path,
    status: response.status,
    sageCodes: errors.map((error) => error.code),
    body: response.text.slice(0, BODY_EXCERPT),
    ...(primary?.field ? { field: primary.field } : {}),
  });
}

function sentenceFor(context: RefusalContext, request: SageRequest, error: DialectFieldError): string {
  const where = `${context.dialect} company ${context.companyId}`;
  const sent = error.field ? valueAtWirePath(request.body, error.field) : undefined;
  const value = typeof sent === 'string' || typeof sent === 'number' ? String(sent) : undefined;
  const said = error.message ?? error.code;
  switch (error.code) {
    case 'unknown_account':
      return `GL account ${value ?? '(see detail)'} does not exist in ${where}. Add it in Sage or change the GL rule.`;
    case 'unknown_customer':
      return `Customer ${value ?? '(see detail)'} does not exist in ${where}. Check that it was not deleted or renumbered in Sage, then resync ${context.subject}.`;
    case 'unknown_invoice':
      return `Invoice ${value ?? '(see detail)'} does not exist for this customer in ${where}. Post the invoice to Sage first (or remove the invoice link), then resync ${context.subject}.`;
    case 'closed_period':
      return `The accounting period of ${value ?? 'this date'} is closed in ${where}. Reopen the period in Sage or post into an open period, then resync ${context.subject}.`;
    case 'too_long':
      return `${context.dialect} refused ${context.subject}: ${said}. Shorten ${error.field ?? 'the field'} in the field mapping, then resync.`;
    case 'duplicate_reference':
    case 'duplicate_customer':
      return `${where} already has ${error.field ? `${error.field} ${value ?? ''}`.trim() : 'this reference'} on another record (${said}). Check that record in Sage; nothing was posted twice.`;
    default:
      return `${context.dialect} refused ${context.subject}: ${said}${error.field && !said.includes(error.field) ? ` (${error.field})` : ''}. Correct the mapping, then resync.`;
  }
}

/** Reads what we sent at a dialect field path such as `Lines[1].GLAccount`. */
export function valueAtWirePath(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((piece) => piece !== undefined && piece !== '')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Array.isArray(current) ? current[Number(part)] : (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Input validation at the door: a document the normalized schema refuses never leaves the
 * process (an unbalanced journal is refused here, before any request).
 */
export function parseInputOrRefuse<Schema extends z.ZodType>(schema: Schema, input: unknown, context: RefusalContext): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${imbalanceInWords(issue, input) ?? issue.message}`);
  return refuseInput(context, `${problems.join('; ')}`, parsed.error.issues[0]?.path.join('.'));
}

export function refuseInput(context: RefusalContext, problem: string, field?: string): never {
  throw new SageError('SAGE_VALIDATION', `${context.subject} cannot be posted to ${context.dialect} company ${context.companyId}: ${problem}. Correct the mapping or GL rules, then resync.`, field ? { field } : {});
}

/** Sage answered 2xx in a shape we cannot read: nothing we can trust was learned, so a retry (which looks up first) decides. */
export function unreadableAnswer(context: RefusalContext, request: SageRequest, response: SageResponse, problem: string): SageError {
  return new SageError(
    'SAGE_UNAVAILABLE',
    `${context.dialect} answered for ${context.subject} in a form we cannot read (${problem}). We will retry; if this persists, check the Sage version behind the connection.`,
    { method: request.method, path: request.path, status: response.status, body: response.text.slice(0, BODY_EXCERPT) },
  );
}

/** The journal schema's balance refusal (a custom issue on `lines`) in money a person reads: "debits 1.00 USD, credits 0.99 USD". */
function imbalanceInWords(issue: z.core.$ZodIssue, input: unknown): string | undefined {
  if (issue.code !== 'custom' || issue.path.length !== 1 || issue.path[0] !== 'lines') return undefined;
  const entry = input as { currency?: unknown; lines?: unknown };
  if (typeof entry.currency !== 'string' || !Array.isArray(entry.lines)) return undefined;
  const currency = entry.currency;
  let debits = 0n;
  let credits = 0n;
  for (const line of entry.lines as { debitMinor?: unknown; creditMinor?: unknown }[]) {
    if (typeof line?.debitMinor !== 'bigint' || typeof line.creditMinor !== 'bigint') return undefined;
    debits += line.debitMinor;
    credits += line.creditMinor;
  }
  try {
    currencyExponent(currency);
  } catch {
    return undefined;
  }
  const show = (minor: bigint) => `${formatDecimal({ minor, currency })} ${currency}`;
  return `the lines do not balance (debits ${show(debits)}, credits ${show(credits)})`;
}
