import { z } from 'zod';
import type { SageHttpClient, SageRequest, SageResponse } from '../http/sage-http-client.ts';
import type { SageDocumentType } from '../sage-documents.ts';
import { refusalToSageError, unreadableAnswer, type DialectName, type RefusalContext } from './sage500-and-pro-errors.ts';

// How Sage 500 and Sage Pro answers are read: a lookup must answer 200, a body must have the shape
// we expect, and every failure names the dialect, the company and what it was about.

/** A record key, sent as a number or a string, kept as a string. */
export const ZWireKey = z.union([z.string(), z.number()]).transform(String);

type DocumentKind = Exclude<SageDocumentType, 'customer'>;

export const DOCUMENT_LABEL: Record<DocumentKind, string> = {
  sales_order: 'sales order',
  invoice: 'invoice',
  cash_receipt: 'cash receipt',
  credit_memo: 'credit memo',
  journal_entry: 'journal entry',
};

/** What an input is, for messages, before it is known to be valid: "invoice in_123", or "the invoice". */
export function subjectOf(kind: DocumentKind | 'customer', input: unknown): string {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const key = kind === 'customer' ? record.stripeCustomerId : record.reference;
  const label = kind === 'customer' ? 'customer' : DOCUMENT_LABEL[kind];
  return typeof key === 'string' && key !== '' ? `${label} ${key}` : `the ${label}`;
}

export function dialectAnswers(http: SageHttpClient, dialect: DialectName, companyId: string) {
  const context = (subject: string): RefusalContext => ({ dialect, companyId, subject });

  /** A lookup: any answer but 200 is the dialect's refusal. */
  async function get(request: SageRequest, subject: string): Promise<SageResponse> {
    const response = await http.request(request);
    if (response.status !== 200) throw refusalToSageError(context(subject), request, response);
    return response;
  }

  function readWith<Schema extends z.ZodType>(schema: Schema, request: SageRequest, response: SageResponse, subject: string): z.infer<Schema> {
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unreadableAnswer(context(subject), request, response, parsed.error.issues[0]?.message ?? 'unexpected shape');
    return parsed.data;
  }

  return { context, get, readWith };
}
