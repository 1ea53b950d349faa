import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

export type FaultSettings = { rateLimitNext?: number; rateLimitShare?: number; failingPaths?: string[] };

/**
 * 429s on demand, and 500s on chosen paths (Stripe having a bad minute on one endpoint, to test what
 * the product does when one read of a job fails after its writes), to test the product's backoff: the next N API requests, or a share of all of
 * them picked by a seeded PRNG (the same requests fail on every run with the same seed).
 */
export class RateLimitFaults {
  private remaining = 0;
  private share = 0;
  private failing: string[] = [];
  private random: SeededRandom;

  constructor(private readonly seed: number | string = 1) {
    this.random = createSeededRandom(`faults:${seed}`);
  }

  configure(settings: FaultSettings): void {
    if (settings.rateLimitNext !== undefined) this.remaining = settings.rateLimitNext;
    if (settings.rateLimitShare !== undefined) this.share = settings.rateLimitShare;
    if (settings.failingPaths !== undefined) this.failing = [...settings.failingPaths];
  }

  /** True when requests to this path answer 500 (until failingPaths is set again). */
  fails(path: string): boolean {
    return this.failing.some((prefix) => path.startsWith(prefix));
  }

  /** Called once per API request; true means answer it with a 429. */
  takeRateLimit(): boolean {
    if (this.remaining > 0) {
      this.remaining -= 1;
      return true;
    }
    return this.share > 0 && this.random.next() < this.share;
  }

  current(): Required<FaultSettings> {
    return { rateLimitNext: this.remaining, rateLimitShare: this.share, failingPaths: [...this.failing] };
  }

  reset(): void {
    this.remaining = 0;
    this.share = 0;
    this.failing = [];
    this.random = createSeededRandom(`faults:${this.seed}`);
  }
}
