import type { StripeObject, StripeObjectStore } from './object-store.ts';
import { invalidRequest } from './stripe-errors.ts';

/** The object type a reference field points at; other fields (e.g. a balance transaction's `source`) are found by id. */
const TARGET_TYPE_BY_FIELD: Record<string, string> = {
  balance_transaction: 'balance_transaction',
  failure_balance_transaction: 'balance_transaction',
  customer: 'customer',
  charge: 'charge',
  latest_charge: 'charge',
  payment_intent: 'payment_intent',
  invoice: 'invoice',
  latest_invoice: 'invoice',
  subscription: 'subscription',
  payout: 'payout',
  original_payout: 'payout',
  reversed_by: 'payout',
  dispute: 'dispute',
  refund: 'refund',
};

/** Stripe refuses expansions deeper than four levels. */
const MAX_DEPTH = 4;

export type ExpandContext = { store: StripeObjectStore; account: string };

function cannotExpand(path: string): never {
  throw invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
}

function resolveReference(field: string, id: string, path: string, context: ExpandContext): StripeObject {
  const type = TARGET_TYPE_BY_FIELD[field];
  const found = type ? context.store.get(context.account, type, id) : context.store.findById(context.account, id);
  if (found) return found;
  if (!type) cannotExpand(path);
  throw invalidRequest(`No such ${type}: '${id}' (expanding ${path}; load it into the fake first)`, {
    param: 'expand',
    code: 'resource_missing',
  });
}

/** Copies only along the path, so the stored objects are never changed by an expansion. */
function expandAt(value: unknown, segments: readonly string[], path: string, context: ExpandContext): unknown {
  if (Array.isArray(value)) return value.map((item) => expandAt(item, segments, path, context));
  if (value === null || typeof value !== 'object') cannotExpand(path);
  const [field, ...rest] = segments as [string, ...string[]];
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, field)) cannotExpand(path);
  let child = record[field];
  if (typeof child === 'string') child = resolveReference(field, child, path, context);
  else if (child !== null && typeof child !== 'object') cannotExpand(path);
  if (rest.length > 0 && child !== null) child = expandAt(child, rest, path, context);
  return { ...record, [field]: child };
}

/** Applies `expand[]` paths such as `customer`, `charge.balance_transaction` or, on a list, `data.balance_transaction`. */
export function expandObject<T extends object>(object: T, paths: readonly string[], context: ExpandContext): T {
  let result: unknown = object;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.some((segment) => segment === '')) cannotExpand(path);
    if (segments.length > MAX_DEPTH) {
      throw invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`, { param: 'expand' });
    }
    result = expandAt(result, segments, path, context);
  }
  return result as T;
}

/** On lists Stripe wants `data.`-prefixed paths, and says so when a caller forgets. */
export function expandList<T extends object>(list: T, paths: readonly string[], context: ExpandContext): T {
  for (const path of paths) {
    if (!path.startsWith('data.')) {
      throw invalidRequest(`This property cannot be expanded (${path}). You may want to try expanding 'data.${path}' instead.`, {
        param: 'expand',
      });
    }
  }
  return expandObject(list, paths, context);
}
