import type { Integration, PrismaClient, SageDocumentType, SyncRecord } from '@sagesync/db';
import { defaultFieldMappings } from '@sagesync/db';
import type Stripe from 'stripe';
import { applyFieldMapping } from '../../accounting/field-mapping.ts';
import type { GlRuleRow } from '../../accounting/gl-rules.ts';
import type { SageConnector } from '../../connectors/sage/sage-connector.ts';
import type { SageDocumentRef } from '../../connectors/sage/sage-documents.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import type { Logger } from '../../observability/logger.ts';
import type { AssessAnomaly } from '../anomaly-hook.ts';
import { integrationSettingsCache } from '../integration-settings-cache.ts';
import type { ObjectKey } from '../sync-records.ts';

// What every processor gets, what it answers, and the small rules they share: look the Stripe id
// up in Sage before creating, and stop with a message a person can act on when only a person can
// fix the cause (a retry would only hold back the object's later events).

export type AttemptInfo = { jobId: string | null; eventId: string | null; startedAt: Date };

export type ProcessorContext = {
  db: PrismaClient;
  log: Logger;
  integration: Integration;
  stripe: StripeReader;
  sage: SageConnector;
  attempt: AttemptInfo;
  assessAnomaly: AssessAnomaly;
};

/** What a processor did with one object. */
export type ProcessOutcome =
  | {
      kind: 'synced';
      documentType: SageDocumentType;
      document: SageDocumentRef;
      amountMinor?: bigint;
      currency?: string;
      /** The record of the object this one hangs off (a refund's or dispute's charge). */
      parentId?: string;
      /** What was written, for the next sync to compare with (a customer's field hashes, sync-customer.ts). */
      postedHash?: string;
    }
  | { kind: 'skipped'; code: string; message: string; parentId?: string }
  /** A held item carries its amount when known: the first thing its reviewer needs. */
  | { kind: 'held'; code: string; message: string; detail?: unknown; parentId?: string; amountMinor?: bigint; currency?: string };

/** A cause only a person can remove: a retry cannot help, so the job records it and ends. */
export class NeedsHumanError extends Error {
  readonly retryable = false;
  override readonly name = 'NeedsHumanError';
  constructor(
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export function objectKey(integration: Integration, objectType: ObjectKey['objectType'], objectId: string): ObjectKey {
  return { orgId: integration.orgId, integrationId: integration.id, objectType, objectId };
}

/**
 * Exactly once in Sage: the Stripe id is looked up before anything is created, because the answer
 * to an earlier create may have been lost after Sage committed it. (The connectors also resolve a
 * duplicate-reference refusal to the existing document, for a create that races another.)
 */
export async function postOnce(
  sage: SageConnector,
  type: Exclude<SageDocumentType, 'customer'>,
  reference: string,
  create: () => Promise<SageDocumentRef>,
): Promise<{ document: SageDocumentRef; created: boolean }> {
  const existing = await sage.findDocumentByReference(type, reference);
  if (existing) return { document: existing, created: false };
  return { document: await create(), created: true };
}

/** The integration's GL rules in order; reused while unchanged (see integration-settings-cache.ts). */
export async function loadGlRules(db: PrismaClient, integration: Integration): Promise<GlRuleRow[]> {
  return integrationSettingsCache(db).glRules(integration, () =>
    db.glRule.findMany({ where: { integrationId: integration.id, orgId: integration.orgId }, orderBy: { position: 'asc' } }),
  );
}

/**
 * The active mapping for a document type; the edition's default when the tenant has none yet (a
 * new integration syncs with the template the portal starts from).
 */
export async function activeMappingDefinition(db: PrismaClient, integration: Integration, documentType: 'customer' | 'cash_receipt'): Promise<unknown> {
  return integrationSettingsCache(db).fieldMapping(integration, documentType, async () => {
    const active = await db.fieldMapping.findFirst({
      where: { integrationId: integration.id, orgId: integration.orgId, documentType, isActive: true },
      orderBy: { version: 'desc' },
    });
    if (active) return active.definition;
    return defaultFieldMappings(integration.sageEdition).find((mapping) => mapping.documentType === documentType)?.definition;
  });
}

/** Applies a mapping; any field error stops the document, naming each field and why. */
export function mapOrRefuse(definition: unknown, source: unknown, integration: Integration, what: string): Record<string, string | null> {
  const result = applyFieldMapping(definition, source, { timeZone: integration.timeZone });
  if (result.errors.length > 0) {
    const fields = result.errors.map((issue) => `${issue.target} ${issue.message}`).join('; ');
    throw new NeedsHumanError('MAPPING_INVALID', `The ${what} mapping cannot build this document: ${fields}. Fix the mapping in the portal, then resync.`, {
      errors: result.errors,
    });
  }
  return result.values;
}

/** A balance transaction the request expanded; Stripe leaves an id when it could not. */
export function expandedBalanceTransaction(value: string | Stripe.BalanceTransaction | null | undefined, owner: string): Stripe.BalanceTransaction {
  if (value && typeof value === 'object') return value;
  throw new NeedsHumanError(
    'STRIPE_NO_BALANCE_TRANSACTION',
    `Stripe shows no balance transaction for ${owner}, so its settled amount is unknown. It is posted once Stripe settles it; resync then.`,
  );
}

/** Stripe's memo limit is ours too: Sage 500, Pro and 50 keep 60 characters of a memo. */
export function memoOf(...parts: (string | null | undefined)[]): string | undefined {
  const text = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '').join('; ');
  if (!text) return undefined;
  return [...text].slice(0, 60).join('');
}

export type SyncRecordLookup = Pick<SyncRecord, 'id' | 'status' | 'sageDocumentId'>;
