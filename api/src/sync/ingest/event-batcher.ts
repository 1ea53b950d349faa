/**
 * Group commit for webhook deliveries. Each request adds its event and waits; the batcher writes
 * whatever is waiting in one transaction and answers every request of the batch once that
 * transaction has committed. One commit per delivery caps ingest at what one fsync-bound
 * transaction per request allows (about 1,800/s on our machines); sharing the commit amortises it.
 *
 * When idle, a batch starts on the next turn of the event loop (so deliveries that arrived together
 * share it) or after `windowMs`. While a batch is in flight, new deliveries wait and form the next
 * batch (another one starts beside it only once `minBatchWhileBusy` wait, up to
 * `maxConcurrentFlushes`), so batches grow with the load without a fixed delay.
 */
export type EventBatcherOptions<Item, Result> = {
  /** Writes one batch; resolves to one result per item, in order. A throw fails (or isolates) the batch. */
  flush(items: Item[]): Promise<Result[]>;
  maxBatchSize: number;
  maxConcurrentFlushes: number;
  /**
   * While a batch is in flight, another starts only once this many items wait; fewer wait for the
   * batch in flight to finish. Each commit costs a disk flush, so a few large batches beat many small
   * ones, yet a burst still gets a second connection.
   */
  minBatchWhileBusy?: number;
  /** 0 flushes on the next turn of the event loop; more waits that many milliseconds for company. */
  windowMs: number;
  /**
   * Whether a failed batch should be retried one item at a time, so one bad item (say, a payload
   * the database refuses) fails only its own request. Not for outages: those would only fail again.
   */
  isolateFailure?(error: unknown): boolean;
  onBatch?(report: { size: number; durationMs: number; ok: boolean }): void;
};

type Waiter<Item, Result> = { item: Item; resolve(result: Result): void; reject(error: unknown): void };

export class BatcherClosedError extends Error {
  readonly code = 'INGEST_CLOSED';
  readonly retryable = true;
  constructor() {
    super('The server is shutting down and takes no more events; the sender should retry.');
    this.name = 'BatcherClosedError';
  }
}

export class EventBatcher<Item, Result> {
  readonly #options: EventBatcherOptions<Item, Result>;
  #waiting: Waiter<Item, Result>[] = [];
  #inFlight = 0;
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  #closed = false;
  #drained: (() => void)[] = [];

  constructor(options: EventBatcherOptions<Item, Result>) {
    if (options.maxBatchSize < 1 || options.maxConcurrentFlushes < 1 || options.windowMs < 0) {
      throw new RangeError('maxBatchSize and maxConcurrentFlushes must be at least 1, windowMs at least 0');
    }
    this.#options = options;
  }

  /** Resolves once the item's batch has committed, with the item's own result. */
  add(item: Item): Promise<Result> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      const busyBatchReady = this.#inFlight > 0 && this.#waiting.length >= (this.#options.minBatchWhileBusy ?? 1);
      if (this.#waiting.length >= this.#options.maxBatchSize || busyBatchReady) this.#startFlushes();
      else this.#schedule();
    });
  }

  /** Takes no more items and resolves when every item already added has its answer. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#scheduled) this.#cancelSchedule();
    this.#startFlushes();
    if (this.#inFlight === 0 && this.#waiting.length === 0) return;
    await new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxConcurrentFlushes) return;
    const run = () => {
      this.#scheduled = null;
      this.#startFlushes();
    };
    this.#scheduled = this.#options.windowMs === 0 ? setImmediate(run) : setTimeout(run, this.#options.windowMs);
  }

  #cancelSchedule(): void {
    const handle = this.#scheduled;
    this.#scheduled = null;
    if (handle === null) return;
    if (this.#options.windowMs === 0) clearImmediate(handle as NodeJS.Immediate);
    else clearTimeout(handle as NodeJS.Timeout);
  }

  #startFlushes(): void {
    while (this.#inFlight < this.#options.maxConcurrentFlushes && this.#waiting.length > 0) {
      if (this.#waiting.length < this.#options.maxBatchSize && !this.#closed) {
        if (this.#scheduled) return;
        if (this.#inFlight > 0 && this.#waiting.length < (this.#options.minBatchWhileBusy ?? 1)) return;
      }
      const batch = this.#waiting.splice(0, this.#options.maxBatchSize);
      this.#inFlight += 1;
      void this.#run(batch).finally(() => {
        this.#inFlight -= 1;
        // Whatever arrived meanwhile goes at once: it has already waited one batch.
        if (this.#scheduled) this.#cancelSchedule();
        this.#startFlushes();
        if (this.#inFlight === 0 && this.#waiting.length === 0) for (const resolve of this.#drained.splice(0)) resolve();
      });
    }
  }

  async #run(batch: Waiter<Item, Result>[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.#options.flush(batch.map((waiter) => waiter.item));
      this.#options.onBatch?.({ size: batch.length, durationMs: performance.now() - started, ok: true });
      batch.forEach((waiter, index) => waiter.resolve(results[index] as Result));
    } catch (error) {
      this.#options.onBatch?.({ size: batch.length, durationMs: performance.now() - started, ok: false });
      if (batch.length > 1 && this.#options.isolateFailure?.(error)) {
        for (const waiter of batch) await this.#run([waiter]);
        return;
      }
      for (const waiter of batch) waiter.reject(error);
    }
  }
}
