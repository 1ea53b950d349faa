import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { IdempotencyKeys } from './idempotency.ts';
import type { LoadableStripeObject, StripeObjectStore } from './object-store.ts';
import type { RateLimitFaults } from './fault-injection.ts';
import type { RequestLog } from './request-log.ts';
import { invalidRequest } from './stripe-errors.ts';

const ZAccountId = z.string().regex(/^acct_[A-Za-z0-9_]+$/, 'must be a Stripe account id (acct_…)');

/** The minimum the fake needs of a loaded object, plus its two fake-only hints. */
const ZLoadableObject = z.looseObject({
  id: z.string().min(1, 'must be a non-empty string'),
  object: z.string().min(1, 'must be a non-empty string'),
  account: ZAccountId.optional(),
});

const ZLoadQuery = z.strictObject({ account: ZAccountId.optional() });

export const ZFaultSettings = z.strictObject({
  rateLimitNext: z.number().int().min(0).optional(),
  rateLimitShare: z.number().min(0).max(1).optional(),
  /** API paths (prefixes, e.g. `/v1/refunds`) that answer 500 until set again; [] clears them. */
  failingPaths: z.array(z.string().startsWith('/v1/')).max(50).optional(),
});

/** Bulk loads (10,000 balance transactions and their charges) are far beyond Fastify's 1 MiB default. */
const LOAD_BODY_LIMIT = 512 * 1024 * 1024;

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  return `${prefix}${path}: ${issue.message}`;
}

/**
 * Validates every object before loading any, so a bad batch loads nothing. A balance transaction's
 * `payout` hint must name a payout id; other objects may carry `payout` as a real field.
 */
export function validateLoadableObjects(body: unknown): LoadableStripeObject[] {
  if (!Array.isArray(body)) throw invalidRequest('Send a JSON array of Stripe objects, each with "id" and "object".', { param: 'objects' });
  return body.map((item, index) => {
    const parsed = ZLoadableObject.safeParse(item);
    if (!parsed.success) {
      const first = parsed.error.issues[0] as z.core.$ZodIssue;
      throw invalidRequest(`${describeIssue(first, `objects[${index}]`)} (nothing was loaded)`, { param: `objects[${index}]` });
    }
    const object = parsed.data as LoadableStripeObject;
    if (object.object === 'balance_transaction' && object.payout !== undefined && (typeof object.payout !== 'string' || !object.payout.startsWith('po_'))) {
      throw invalidRequest(`objects[${index}].payout: must be a payout id (po_…) (nothing was loaded)`, { param: `objects[${index}].payout` });
    }
    return object;
  });
}

export type AdminDependencies = {
  store: StripeObjectStore;
  faults: RateLimitFaults;
  idempotency: IdempotencyKeys;
  requestLog: RequestLog;
};

/** Fake-only routes under /_fake: no Stripe key needed, never rate limited, never logged as API calls. */
export function registerAdminRoutes(app: FastifyInstance, { store, faults, idempotency, requestLog }: AdminDependencies): void {
  app.post('/_fake/objects', { bodyLimit: LOAD_BODY_LIMIT }, async (request) => {
    const query = ZLoadQuery.safeParse(request.query);
    if (!query.success) throw invalidRequest(describeIssue(query.error.issues[0] as z.core.$ZodIssue, 'query'), { param: 'account' });
    const objects = validateLoadableObjects(request.body);
    return store.load(objects, query.data.account);
  });

  app.post('/_fake/faults', async (request) => {
    const settings = ZFaultSettings.safeParse(request.body ?? {});
    if (!settings.success) throw invalidRequest(describeIssue(settings.error.issues[0] as z.core.$ZodIssue, 'faults'));
    faults.configure(settings.data);
    return faults.current();
  });

  app.post('/_fake/reset', async () => {
    store.reset();
    faults.reset();
    idempotency.clear();
    requestLog.clear();
    return { reset: true };
  });

  app.get('/_fake/requests', async () => ({ requests: requestLog.list() }));

  app.get('/_fake/health', async () => ({ ok: true, accounts: store.accountIds() }));
}
