import type { FormParams } from './form-decoding.ts';

export type LoggedRequest = {
  requestId: string;
  method: string;
  path: string;
  query: FormParams;
  account: string;
  idempotencyKey: string | null;
  status: number;
  replayed: boolean;
  at: string;
};

/** The most recent API requests, oldest first, for tests asserting what the product called (or did not). */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly capacity = 1_000) {}

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
