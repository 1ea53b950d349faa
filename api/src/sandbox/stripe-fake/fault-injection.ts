import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

export type FaultSettings = { rateLimitNext?: number; rateLimitShare?: number };

/**
 * 429s on demand, to test the product's backoff: the next N API requests, or a share of all of
 * them picked by a seeded PRNG (the same requests fail on every run with the same seed).
 */
export class RateLimitFaults {
  private remaining = 0;
  private share = 0;
  private random: SeededRandom;

  constructor(private readonly seed: number | string = 1) {
    this.random = createSeededRandom(`faults:${seed}`);
  }

  configure(settings: FaultSettings): void {
    if (settings.rateLimitNext !== undefined) this.remaining = settings.rateLimitNext;
    if (settings.rateLimitShare !== undefined) this.share = settings.rateLimitShare;
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
    return { rateLimitNext: this.remaining, rateLimitShare: this.share };
  }

  reset(): void {
    this.remaining = 0;
    this.share = 0;
    this.random = createSeededRandom(`faults:${this.seed}`);
  }
}
