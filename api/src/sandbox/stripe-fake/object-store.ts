import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

/** Any Stripe API object: the fake keeps them as Stripe sends them and never reshapes them. */
export type StripeObject = { id: string; object: string; [field: string]: unknown };

/**
 * An object as loaded into the fake. Two fake-only hints, stripped before storing:
 * - `account`: the Stripe account (Connect) that owns it; events keep theirs, since on an event
 *   `account` is a real field naming the same thing;
 * - `payout` on a balance transaction: the payout it was paid out in, for `?payout=po_…`.
 *   Real balance transactions do not carry it; Stripe knows it from its own ledger.
 */
export type LoadableStripeObject = StripeObject & { account?: string; payout?: string };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Fixed width, so string order is number order (the alphabet is in ASCII order). */
function toBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

export const DEFAULT_ACCOUNT_ID = 'acct_fake_platform';

/** Newest first by `created`, then by id, the order of every Stripe list. */
export function compareNewestFirst(a: StripeObject, b: StripeObject): number {
  const createdA = typeof a.created === 'number' ? a.created : 0;
  const createdB = typeof b.created === 'number' ? b.created : 0;
  if (createdA !== createdB) return createdB - createdA;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

class AccountObjects {
  readonly byType = new Map<string, Map<string, StripeObject>>();
  readonly payoutOfTransaction = new Map<string, string>();
  private readonly sortedCache = new Map<string, StripeObject[]>();

  put(object: StripeObject): void {
    let objects = this.byType.get(object.object);
    if (!objects) {
      objects = new Map();
      this.byType.set(object.object, objects);
    }
    objects.set(object.id, object);
    this.sortedCache.delete(object.object);
  }

  sorted(type: string): StripeObject[] {
    let sorted = this.sortedCache.get(type);
    if (!sorted) {
      sorted = [...(this.byType.get(type)?.values() ?? [])].sort(compareNewestFirst);
      this.sortedCache.set(type, sorted);
    }
    return sorted;
  }
}

export type LoadSummary = { loaded: number; accounts: Record<string, number> };

/**
 * In-memory Stripe data, one namespace per Stripe account: the `Stripe-Account` header (Connect)
 * picks the namespace, and requests without it use the default (platform) account.
 * Stored objects are never mutated: a write puts a new version, so a response already built from
 * the old one cannot change under it.
 */
export class StripeObjectStore {
  readonly defaultAccountId: string;
  private accounts = new Map<string, AccountObjects>();
  private readonly random: SeededRandom;
  private sequence = 0;

  constructor(options: { defaultAccountId?: string; seed?: number | string } = {}) {
    this.defaultAccountId = options.defaultAccountId ?? DEFAULT_ACCOUNT_ID;
    this.random = createSeededRandom(`object-store:${options.seed ?? 1}`);
  }

  /** Loads objects (already validated to have `id` and `object`), replacing any with the same id. */
  load(objects: readonly LoadableStripeObject[], account?: string): LoadSummary {
    const summary: LoadSummary = { loaded: 0, accounts: {} };
    for (const loadable of objects) {
      const { account: accountHint, ...rest } = structuredClone(loadable);
      const object: StripeObject = rest;
      if (object.object === 'event' && accountHint !== undefined) object.account = accountHint;
      let payout: unknown;
      if (object.object === 'balance_transaction') {
        payout = object.payout;
        delete object.payout;
      }
      const owner = accountHint ?? account ?? this.defaultAccountId;
      const objectsOfAccount = this.accountObjects(owner);
      objectsOfAccount.put(object);
      if (object.object === 'balance_transaction' && typeof payout === 'string') {
        objectsOfAccount.payoutOfTransaction.set(object.id, payout);
      }
      summary.loaded += 1;
      summary.accounts[owner] = (summary.accounts[owner] ?? 0) + 1;
    }
    return summary;
  }

  put(account: string, object: StripeObject): void {
    this.accountObjects(account).put(object);
  }

  get(account: string, type: string, id: string): StripeObject | undefined {
    return this.accounts.get(account)?.byType.get(type)?.get(id);
  }

  /** For references whose type is not known from the field name. */
  findById(account: string, id: string): StripeObject | undefined {
    for (const objects of this.accounts.get(account)?.byType.values() ?? []) {
      const found = objects.get(id);
      if (found) return found;
    }
    return undefined;
  }

  /** Every object of a type in the account, newest first. Do not mutate the array. */
  listNewestFirst(account: string, type: string): readonly StripeObject[] {
    return this.accounts.get(account)?.sorted(type) ?? [];
  }

  payoutOfTransaction(account: string, transactionId: string): string | undefined {
    return this.accounts.get(account)?.payoutOfTransaction.get(transactionId);
  }

  setPayoutOfTransaction(account: string, transactionId: string, payoutId: string): void {
    this.accountObjects(account).payoutOfTransaction.set(transactionId, payoutId);
  }

  hasAccount(account: string): boolean {
    return this.accounts.has(account);
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  count(account: string, type?: string): number {
    const objects = this.accounts.get(account);
    if (!objects) return 0;
    if (type) return objects.byType.get(type)?.size ?? 0;
    let total = 0;
    for (const ofType of objects.byType.values()) total += ofType.size;
    return total;
  }

  /**
   * A Stripe-looking id not yet used in the account (e.g. `cus_` + 14 characters). Its first
   * characters count up, so objects the fake creates within one second still list newest first
   * (lists break ties on `created` by id).
   */
  newId(account: string, prefix: string, length = 24): string {
    for (;;) {
      this.sequence += 1;
      const id = `${prefix}_${toBase62(this.sequence, 7)}${this.random.token(Math.max(1, length - 7))}`;
      if (!this.findById(account, id)) return id;
    }
  }

  reset(): void {
    this.accounts = new Map();
  }

  private accountObjects(account: string): AccountObjects {
    let objects = this.accounts.get(account);
    if (!objects) {
      objects = new AccountObjects();
      this.accounts.set(account, objects);
    }
    return objects;
  }
}
