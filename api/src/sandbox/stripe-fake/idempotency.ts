import { idempotencyKeyInUse, idempotencyKeyReused } from './stripe-errors.ts';

export type StoredResponse = { status: number; body: string; headers: Record<string, string> };

export type IdempotencyDecision =
  /** First use of the key: run the request, then `complete` (or `abandon` if it never answered). */
  | { kind: 'execute' }
  /** Same key, same request: answer with the first response and `Idempotent-Replayed: true`. */
  | { kind: 'replay'; response: StoredResponse };

type Entry = { fingerprint: string; response: StoredResponse | null };

/** Canonical JSON (sorted keys), so the same parameters in another order are the same request. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Stripe's idempotency for POST: keys are scoped to the account; a retry with the same key and the
 * same parameters gets the first response again, whatever it was (Stripe replays errors too, once
 * the request reached its handler); the same key with other parameters is an idempotency_error,
 * and a retry while the first attempt is still running gets a 409. Stripe forgets keys after 24
 * hours; the fake forgets the oldest once it holds `capacity`, since the SDK keys every POST.
 */
export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 10_000) {}

  begin(account: string, key: string, fingerprint: string): IdempotencyDecision {
    const scoped = `${account}\u0000${key}`;
    const entry = this.entries.get(scoped);
    if (!entry) {
      this.entries.set(scoped, { fingerprint, response: null });
      while (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
      return { kind: 'execute' };
    }
    if (entry.fingerprint !== fingerprint) throw idempotencyKeyReused(key);
    if (!entry.response) throw idempotencyKeyInUse(key);
    return { kind: 'replay', response: entry.response };
  }

  complete(account: string, key: string, response: StoredResponse): void {
    const entry = this.entries.get(`${account}\u0000${key}`);
    if (entry) entry.response = response;
  }

  /** The request ended without a response worth replaying (a 5xx or an aborted connection): the key is free again. */
  abandon(account: string, key: string): void {
    const scoped = `${account}\u0000${key}`;
    if (this.entries.get(scoped)?.response === null) this.entries.delete(scoped);
  }

  clear(): void {
    this.entries.clear();
  }
}
