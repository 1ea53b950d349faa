import { describe, expect, it } from 'vitest';
import { BatcherClosedError, EventBatcher } from '../../../src/sync/ingest/event-batcher.ts';

/** A flush the test completes by hand, recording every batch it was given. */
function manualFlush<T>() {
  const batches: T[][] = [];
  const pending: { items: T[]; resolve(results: string[]): void; reject(error: unknown): void }[] = [];
  return {
    batches,
    pending,
    flush(items: T[]): Promise<string[]> {
      batches.push(items);
      return new Promise((resolve, reject) => pending.push({ items, resolve, reject }));
    },
    completeNext(map: (item: T) => string = (item) => `done:${String(item)}`) {
      const next = pending.shift();
      if (!next) throw new Error('no batch in flight');
      next.resolve(next.items.map(map));
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('event batcher', () => {
  it('writes items added in the same turn of the event loop as one batch and answers each with its own result', async () => {
    const flusher = manualFlush<number>();
    const batcher = new EventBatcher({ flush: flusher.flush, maxBatchSize: 100, maxConcurrentFlushes: 1, windowMs: 0 });
    const answers = Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    await until(() => flusher.pending.length === 1);
    flusher.completeNext();
    expect(await answers).toEqual(['done:1', 'done:2', 'done:3']);
    expect(flusher.batches).toEqual([[1, 2, 3]]);
  });

  it('does not answer before the batch has committed', async () => {
    const flusher = manualFlush<string>();
    const batcher = new EventBatcher({ flush: flusher.flush, maxBatchSize: 10, maxConcurrentFlushes: 1, windowMs: 0 });
    let answered = false;
    const answer = batcher.add('a').then((result) => {
      answered = true;
      return result;
    });
    await until(() => flusher.pending.length === 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    flusher.completeNext();
    expect(await answer).toBe('done:a');
  });

  it('collects what arrives while a batch is in flight into the next batch, up to the size limit', async () => {
    const flusher = manualFlush<number>();
    const batcher = new EventBatcher({ flush: flusher.flush, maxBatchSize: 3, maxConcurrentFlushes: 1, windowMs: 0 });
    const first = batcher.add(0);
    await until(() => flusher.pending.length === 1);
    const rest = [1, 2, 3, 4, 5, 6, 7].map((item) => batcher.add(item));
    expect(flusher.batches).toHaveLength(1);

    flusher.completeNext();
    await first;
    await until(() => flusher.pending.length === 1);
    flusher.completeNext();
    await until(() => flusher.pending.length === 1);
    flusher.completeNext();
    await until(() => flusher.pending.length === 1);
    flusher.completeNext();
    await Promise.all(rest);
    expect(flusher.batches).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
  });

  it('runs up to maxConcurrentFlushes batches at once', async () => {
    const flusher = manualFlush<number>();
    const batcher = new EventBatcher({ flush: flusher.flush, maxBatchSize: 2, maxConcurrentFlushes: 2, windowMs: 0 });
    const answers = [1, 2, 3, 4, 5].map((item) => batcher.add(item));
    await until(() => flusher.pending.length === 2);
    expect(flusher.batches).toEqual([[1, 2], [3, 4]]);
    flusher.completeNext();
    await until(() => flusher.batches.length === 3);
    expect(flusher.batches[2]).toEqual([5]);
    flusher.completeNext();
    flusher.completeNext();
    await Promise.all(answers);
  });

  it('starts a second batch beside one in flight only once enough items wait, so batches stay large', async () => {
    const flusher = manualFlush<number>();
    const batcher = new EventBatcher({ flush: flusher.flush, maxBatchSize: 100, maxConcurrentFlushes: 2, minBatchWhileBusy: 3, windowMs: 0 });
    const answers = [batcher.add(1)];
    await until(() => flusher.pending.length === 1);
    answers.push(batcher.add(2), batcher.add(3));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flusher.batches).toEqual([[1]]);
    answers.push(batcher.add(4));
    await until(() => flusher.pending.length === 2);
    expect(flusher.batches).toEqual([[1], [2, 3, 4]]);
    flusher.completeNext();
    flusher.completeNext();
    expect(await Promise.all(answers)).toEqual(['done:1', 'done:2', 'done:3', 'done:4']);
  });

  it('fails every item of a failed batch when the failure is not about one item (an outage)', async () => {
    const outage = new Error('database unavailable');
    const batcher = new EventBatcher<number, string>({
      flush: async () => Promise.reject(outage),
      maxBatchSize: 10,
      maxConcurrentFlushes: 1,
      windowMs: 0,
      isolateFailure: () => false,
    });
    const results = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(results).toEqual([
      { status: 'rejected', reason: outage },
      { status: 'rejected', reason: outage },
    ]);
  });

  it('retries a batch one item at a time when one item made it fail, so only that item fails', async () => {
    const batches: number[][] = [];
    const batcher = new EventBatcher<number, string>({
      async flush(items) {
        batches.push(items);
        if (items.includes(13)) throw Object.assign(new Error('bad item'), { code: '22P05' });
        return items.map((item) => `ok:${item}`);
      },
      maxBatchSize: 10,
      maxConcurrentFlushes: 1,
      windowMs: 0,
      isolateFailure: (error) => (error as { code?: string }).code === '22P05',
    });
    const results = await Promise.allSettled([batcher.add(1), batcher.add(13), batcher.add(2)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([[1, 13, 2], [1], [13], [2]]);
  });

  it('on close answers what it holds, then refuses new items with a retryable error', async () => {
    const flusher = manualFlush<number>();
    const batcher = new EventBatcher({ flush: flusher.flush, maxBatchSize: 10, maxConcurrentFlushes: 1, windowMs: 1_000 });
    const held = batcher.add(1);
    const closed = batcher.close();
    await until(() => flusher.pending.length === 1);
    flusher.completeNext();
    await closed;
    expect(await held).toBe('done:1');
    await expect(batcher.add(2)).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
