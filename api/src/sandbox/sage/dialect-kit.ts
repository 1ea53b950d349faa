import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ItemLineDetail } from './document-details.ts';
import type { FaultInjector } from './fault-injection.ts';
import type { Company, DocumentType, JournalLine, LedgerDocument, SageDialect } from './ledger-model.ts';
import { LedgerRejection, statusForRejection, type FieldPath, type RejectionCode } from './ledger-rejection.ts';
import type { DocumentFilter, LedgerStore, PostDocumentInput } from './ledger-store.ts';
import { parseAmountToMinor, currencyExponent } from './money.ts';
import type { OAuthAuthority } from './oauth-server.ts';

// What the four dialect modules share: refusals with wire field names, the fault gate in front of
// every API request, commit-then-drop behind every write, and small readers for the wire.

export type SandboxContext = { store: LedgerStore; faults: FaultInjector; oauth: OAuthAuthority };

/** A refusal as a dialect shows it: the field in the dialect's own naming. */
export type FieldError = { code: RejectionCode; field: string | null; message: string };

export class WireRejection extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((error) => error.message).join('; '));
    this.name = 'WireRejection';
    this.errors = errors;
  }
}

export type FailureKind = 'unauthorized' | 'not_found' | 'rate_limited' | 'server_error' | 'bad_request';

/** How one dialect words its errors. */
export type DialectErrorStyle = {
  rejection(errors: FieldError[]): { status: number; body: unknown };
  failure(kind: FailureKind, message: string): { status: number; body: unknown };
  /** Wire name of a normalized ledger path such as ['lines', 0, 'account']. */
  wireField(path: FieldPath): string | null;
};

/** The `{ "errors": [{ "code", "field", "message" }] }` shape of Sage 500, Sage Pro and Sage 50. */
export function jsonErrorStyle(wireField: (path: FieldPath) => string | null): DialectErrorStyle {
  const failureStatus: Record<FailureKind, number> = { unauthorized: 401, not_found: 404, rate_limited: 429, server_error: 500, bad_request: 400 };
  const failureCode: Record<FailureKind, string> = { unauthorized: 'unauthorized', not_found: 'not_found', rate_limited: 'rate_limited', server_error: 'internal_error', bad_request: 'bad_request' };
  return {
    wireField,
    rejection: (errors) => ({ status: statusForRejection(errors.map((error) => error.code)), body: { errors } }),
    failure: (kind, message) => ({ status: failureStatus[kind], body: { errors: [{ code: failureCode[kind], field: null, message }] } }),
  };
}

/** Joins a path as `Lines[0].GLAccount`. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** Turns zod's issues into field errors: missing → required, over a max length → too_long. */
export function fieldErrorsFromZod(error: z.ZodError, input: unknown, fieldName: (path: readonly PropertyKey[]) => string = joinPath): FieldError[] {
  return error.issues.map((issue) => {
    const field = fieldName(issue.path) || null;
    const label = field ?? 'The request body';
    const value = valueAt(input, issue.path);
    if (issue.code === 'invalid_type' && (value === undefined || value === null)) return { code: 'required', field, message: `${label} is required` };
    if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) <= 1) return { code: 'required', field, message: `${label} is required` };
    if (issue.code === 'too_small' && issue.origin === 'array') return { code: 'required', field, message: `${label} needs at least ${String(issue.minimum)} item(s)` };
    if (issue.code === 'too_big' && issue.origin === 'string') {
      return { code: 'too_long', field, message: `${label} must be at most ${String(issue.maximum)} characters (got ${typeof value === 'string' ? value.length : '?'})` };
    }
    return { code: 'invalid_format', field, message: `${label}: ${issue.message}` };
  });
}

export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown, fieldName?: (path: readonly PropertyKey[]) => string): z.infer<Schema> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new WireRejection(fieldErrorsFromZod(parsed.error, body, fieldName));
  return parsed.data;
}

/** Collects amount errors while reading several amounts of one document. */
export class AmountReader {
  readonly errors: FieldError[] = [];
  constructor(private readonly currency: string) {}

  read(value: unknown, field: string): number {
    const parsed = parseAmountToMinor(value, this.currency);
    if (parsed.ok) return parsed.minor;
    const reason =
      parsed.reason === 'precision'
        ? `has more than ${currencyExponent(this.currency)} decimal places, which ${this.currency} does not allow`
        : parsed.reason === 'range'
          ? 'is too large'
          : 'must be a decimal number such as 12.34';
    this.errors.push({ code: 'invalid_amount', field, message: `${field} ${reason}` });
    return 0;
  }

  /** Reads an amount that must not be negative. */
  readNonNegative(value: unknown, field: string): number {
    const minor = this.read(value, field);
    if (minor < 0) this.errors.push({ code: 'invalid_amount', field, message: `${field} cannot be negative` });
    return minor;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new WireRejection(this.errors);
  }
}

/** Query parameters with lower-cased names and one value each, for dialects that ignore case. */
export function queryOf(request: FastifyRequest, { lowerCaseNames }: { lowerCaseNames: boolean }): Record<string, string> {
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[lowerCaseNames ? name.toLowerCase() : name] = first;
  }
  return result;
}

export function pageOf<T>(items: T[], page: number, pageSize: number): { items: T[]; hasMore: boolean } {
  const start = (page - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), hasMore: start + pageSize < items.length };
}

export function positiveInt(text: string | undefined, fallback: number, max: number): number {
  const value = text === undefined ? NaN : Number(text);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, max) : fallback;
}

export function sameSecret(given: string | undefined, expected: string | null): boolean {
  if (given === undefined || expected === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const companyOfRequest = new WeakMap<FastifyRequest, string>();

/** Finds the company a dialect request addresses; a company of another dialect does not exist for it. */
export function companyFor(store: LedgerStore, dialect: SageDialect, companyId: string | undefined): Company | undefined {
  const company = companyId === undefined ? undefined : store.getCompany(companyId);
  return company?.dialect === dialect ? company : undefined;
}

export function sendFailure(reply: FastifyReply, style: DialectErrorStyle, kind: FailureKind, message: string): FastifyReply {
  const { status, body } = style.failure(kind, message);
  return reply.code(status).send(body);
}

/**
 * Runs the company's faults in front of an authenticated request. Returns false when the request
 * was already answered (429, 500) or is being held open (timeout).
 */
export async function passFaultGate(ctx: SandboxContext, request: FastifyRequest, reply: FastifyReply, company: Company, style: DialectErrorStyle): Promise<boolean> {
  companyOfRequest.set(request, company.id);
  const outcome = await ctx.faults.gate(company.id, company.rateLimitPerMinute);
  switch (outcome.kind) {
    case 'proceed':
      return true;
    case 'rate_limited':
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      sendFailure(reply, style, 'rate_limited', `Rate limit exceeded; retry after ${outcome.retryAfterSeconds} seconds`);
      return false;
    case 'server_error':
      sendFailure(reply, style, 'server_error', 'An unexpected error occurred (injected by the sandbox)');
      return false;
    case 'timeout':
      reply.hijack();
      ctx.faults.hold(request.raw.socket);
      return false;
  }
}

/** How a dialect names and authenticates the company of a request. */
export type CompanyGate = {
  dialect: SageDialect;
  /** The 404 message when the path names no company of this dialect. */
  missing(companyId: string | undefined): string;
  /** Checks the request's credentials for the company; answers the request itself and returns false when they fail. */
  authorized(request: FastifyRequest, reply: FastifyReply, company: Company): boolean;
};

/** Resolves the `:company` of the path, checks credentials, then runs the fault gate, in that order, before every route. */
export function installCompanyGate(scope: FastifyInstance, ctx: SandboxContext, style: DialectErrorStyle, gate: CompanyGate): void {
  scope.addHook('preHandler', async (request, reply) => {
    const { company: companyId } = request.params as { company?: string };
    const company = companyFor(ctx.store, gate.dialect, companyId);
    if (!company) return sendFailure(reply, style, 'not_found', gate.missing(companyId));
    if (!gate.authorized(request, reply, company)) return reply;
    rememberCompany(request, company);
    if (!(await passFaultGate(ctx, request, reply, company, style))) return reply;
  });
}

/** Writes that succeed are stored first; with commit-then-drop armed, their answer is then lost. */
export function installCommitThenDrop(app: FastifyInstance, faults: FaultInjector): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const companyId = companyOfRequest.get(request);
    const isWrite = request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH';
    if (companyId !== undefined && isWrite && reply.statusCode >= 200 && reply.statusCode < 300 && faults.takeCommitThenDrop(companyId)) {
      request.raw.socket.destroy();
    }
    return payload;
  });
}

/** One error handler per dialect scope, so every failure (and an unknown path) leaves in that dialect's shape. */
export function installDialectErrorHandler(scope: FastifyInstance, style: DialectErrorStyle): void {
  scope.setNotFoundHandler((request, reply) => sendFailure(reply, style, 'not_found', `${request.method} ${request.url.split('?')[0] ?? ''} is not a resource of this API`));
  scope.setErrorHandler((error, request, reply) => {
    if (error instanceof WireRejection) {
      const { status, body } = style.rejection(error.errors);
      return reply.code(status).send(body);
    }
    if (error instanceof LedgerRejection) {
      const { status, body } = style.rejection(error.issues.map((issue) => ({ code: issue.code, field: style.wireField(issue.path), message: issue.message })));
      return reply.code(status).send(body);
    }
    const statusCode = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (statusCode >= 400 && statusCode < 500) {
      const { body } = style.failure('bad_request', (error as Error).message);
      return reply.code(statusCode).send(body);
    }
    request.log.error({ err: error }, 'sandbox handler failed');
    return sendFailure(reply, style, 'server_error', 'An unexpected error occurred');
  });
}

// ----- shared resource routes -----

const companyObjectOfRequest = new WeakMap<FastifyRequest, Company>();

export function rememberCompany(request: FastifyRequest, company: Company): void {
  companyObjectOfRequest.set(request, company);
}

/** The company the scope's preHandler resolved for this request. */
export function companyOf(request: FastifyRequest): Company {
  const company = companyObjectOfRequest.get(request);
  if (!company) throw new Error('no company resolved for this request');
  return company;
}

/** Runs a ledger write and renames the fields of any refusal to the wire's names. */
export function withWireNames<T>(run: () => T, wireField: (path: FieldPath) => string | null): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof LedgerRejection) {
      throw new WireRejection(error.issues.map((issue) => ({ code: issue.code, field: wireField(issue.path), message: issue.message })));
    }
    throw error;
  }
}

export type PageRequest = { page: number; pageSize: number };
export type PageInfo = PageRequest & { total: number; nextUrl: string | null; backUrl: string | null };

/** The same URL with one query parameter set, for `next` and `back` links. */
export function urlWithQuery(url: string, name: string, value: string): string {
  const parsed = new URL(url, 'http://sandbox.invalid');
  parsed.searchParams.set(name, value);
  return `${parsed.pathname}${parsed.search}`;
}

export function listPage<T>(request: FastifyRequest, all: T[], { page, pageSize }: PageRequest, pageParam: string, rewriteUrl: (url: string) => string = (url) => url): { items: T[]; info: PageInfo } {
  const { items, hasMore } = pageOf(all, page, pageSize);
  return {
    items,
    info: {
      page,
      pageSize,
      total: all.length,
      nextUrl: hasMore ? rewriteUrl(urlWithQuery(request.url, pageParam, String(page + 1))) : null,
      backUrl: page > 1 ? rewriteUrl(urlWithQuery(request.url, pageParam, String(page - 1))) : null,
    },
  };
}

/** One document endpoint of Sage 500, Sage Pro or Sage 50: list (with filters), read one, create. */
export type DocumentResource = {
  path: string;
  types: DocumentType[];
  toPosting(body: unknown, company: Company): PostDocumentInput;
  wireField(path: FieldPath): string | null;
  render(document: LedgerDocument, company: Company): unknown;
  /** The ledger filter for a list request; null when a filter names nothing that exists. */
  filter(query: Record<string, string>, company: Company): DocumentFilter | null;
};

export type ListEnvelope = {
  pageParam: string;
  pageRequest(query: Record<string, string>): PageRequest;
  render(items: unknown[], info: PageInfo): unknown;
};

export function registerDocumentResource(scope: FastifyInstance, ctx: SandboxContext, style: DialectErrorStyle, resource: DocumentResource, envelope: ListEnvelope, lowerCaseQuery: boolean): void {
  scope.get(resource.path, async (request) => {
    const company = companyOf(request);
    const query = queryOf(request, { lowerCaseNames: lowerCaseQuery });
    const filter = resource.filter(query, company);
    const documents = filter === null ? [] : ctx.store.findDocuments(company.id, { ...filter, types: resource.types });
    const { items, info } = listPage(request, documents, envelope.pageRequest(query), envelope.pageParam);
    return envelope.render(items.map((document) => resource.render(document, company)), info);
  });

  scope.get(`${resource.path}/:documentId`, async (request, reply) => {
    const company = companyOf(request);
    const { documentId } = request.params as { documentId: string };
    const document = ctx.store.getDocument(company.id, documentId);
    if (!document || !resource.types.includes(document.type)) return sendFailure(reply, style, 'not_found', `No document with key ${documentId}`);
    return resource.render(document, company);
  });

  scope.post(resource.path, async (request, reply) => {
    const company = companyOf(request);
    const input = resource.toPosting(request.body, company);
    const document = withWireNames(() => ctx.store.postDocument(company.id, input), resource.wireField);
    return reply.code(201).send(resource.render(document, company));
  });
}

/** The customer code a document names, for rendering; null when it names none. */
export function customerCodeOf(store: LedgerStore, company: Company, customerId: string | null): string | null {
  return customerId === null ? null : (store.getCustomer(company.id, { id: customerId })?.code ?? null);
}

/**
 * The ledger filter of a document list: by reference, by document number, and by customer code
 * (a code no customer has matches nothing, so the filter is null).
 */
export function documentFilterOf(store: LedgerStore, customerParam: string, numberOf: (query: Record<string, string>) => string | undefined) {
  return (query: Record<string, string>, company: Company): DocumentFilter | null => {
    let customerId: string | undefined;
    const code = query[customerParam];
    if (code !== undefined) {
      const customer = store.getCustomer(company.id, { code });
      if (!customer) return null;
      customerId = customer.id;
    }
    return { reference: query.reference, customerId, number: numberOf(query) };
  };
}

export type WireItemLine = { itemId?: string | null; description?: string | null; quantity?: number | undefined; unitPrice: unknown; account?: string | null };

/** Reads item lines: integer quantities times exact unit prices, the company's sales account by default. */
export function readItemLines(lines: WireItemLine[], amounts: AmountReader, unitPriceField: (index: number) => string, defaultAccount: string): ItemLineDetail[] {
  return lines.map((line, index) => {
    const quantity = line.quantity ?? 1;
    const unitPriceMinor = amounts.read(line.unitPrice, unitPriceField(index));
    if (!Number.isSafeInteger(quantity * unitPriceMinor)) {
      amounts.errors.push({ code: 'invalid_amount', field: unitPriceField(index), message: `${unitPriceField(index)} times the quantity is too large` });
    }
    return {
      itemId: line.itemId ?? null,
      description: line.description ?? null,
      quantity,
      unitPriceMinor,
      amountMinor: quantity * unitPriceMinor,
      account: line.account ?? defaultAccount,
    };
  });
}

/** Free text that may be absent, null or empty, trimmed and at most `max` characters. */
/** The currency (the company's base currency when none is given) and item lines of an item document; throws on any bad amount. */
export function readItemDocument(company: Company, currency: string | undefined, lines: WireItemLine[], unitPriceField: (index: number) => string): { currency: string; lines: ItemLineDetail[] } {
  const documentCurrency = currency ?? company.baseCurrency;
  const amounts = new AmountReader(documentCurrency);
  const itemLines = readItemLines(lines, amounts, unitPriceField, company.defaultRevenueAccount);
  amounts.throwIfAny();
  return { currency: documentCurrency, lines: itemLines };
}

export type WireJournalLine = { account: string; debit?: unknown; credit?: unknown; memo?: string | null };

/** Reads journal lines: a side left out is zero, and neither side may be negative. Throws on any bad amount. */
export function readJournalLines(lines: WireJournalLine[], currency: string, field: (index: number, side: 'debit' | 'credit') => string): JournalLine[] {
  const amounts = new AmountReader(currency);
  const journalLines = lines.map((line, index) => ({
    account: line.account,
    debitMinor: line.debit == null ? 0 : amounts.readNonNegative(line.debit, field(index, 'debit')),
    creditMinor: line.credit == null ? 0 : amounts.readNonNegative(line.credit, field(index, 'credit')),
    memo: line.memo ?? null,
  }));
  amounts.throwIfAny();
  return journalLines;
}

export const optionalText = (max: number) => z.string().trim().max(max).nullish();

export const ZWireAmount = z.union([z.string(), z.number()]);
export const ZWireDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
export const ZWireCurrency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO currency code')
  .transform((code) => code.toUpperCase());
