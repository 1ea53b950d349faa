import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/worker/run-batch.ts';

type Job = { id: string; singletonKey: string | null };

/** A run whose jobs finish only when the test says so, recording starts and how many overlap. */
function controlledRun() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  let inFlight = 0;
  let mostAtOnce = 0;
  const run = (job: Job) =>
    new Promise<string>((resolve) => {
      started.push(job.id);
      inFlight += 1;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      finishers.set(job.id, () => {
        inFlight -= 1;
        resolve(`done ${job.id}`);
      });
    });
  const finish = async (id: string) => {
    const finisher = finishers.get(id);
    if (!finisher) throw new Error(`${id} has not started`);
    finisher();
    // Let the lane pick up its next job.
    for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
  };
  return { run, started, finish, mostAtOnce: () => mostAtOnce };
}

const flush = async () => {
  for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
};

describe('runBatch', () => {
  it('runs up to atOnce jobs of different keys at the same time and answers in the batch order', async () => {
    const jobs: Job[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, singletonKey: `key-${id}` }));
    const control = controlledRun();
    const results = runBatch(jobs, 3, control.run);
    await flush();
    expect(control.started).toEqual(['a', 'b', 'c']);
    await control.finish('b');
    expect(control.started).toEqual(['a', 'b', 'c', 'd']);
    for (const id of ['a', 'c', 'd']) await control.finish(id);
    await control.finish('e');
    expect(await results).toEqual(['done a', 'done b', 'done c', 'done d', 'done e']);
    expect(control.mostAtOnce()).toBe(3);
  });

  it('runs jobs that share a key one after another, in the order fetched, while other keys go on', async () => {
    const jobs: Job[] = [
      { id: 'first', singletonKey: 'charge:ch_1' },
      { id: 'other', singletonKey: 'charge:ch_2' },
      { id: 'second', singletonKey: 'charge:ch_1' },
    ];
    const control = controlledRun();
    const results = runBatch(jobs, 8, control.run);
    await flush();
    // Two keys, so two lanes; ch_1's second event waits for its first.
    expect(control.started).toEqual(['first', 'other']);
    await control.finish('other');
    expect(control.started).toEqual(['first', 'other']);
    await control.finish('first');
    expect(control.started).toEqual(['first', 'other', 'second']);
    await control.finish('second');
    expect(await results).toEqual(['done first', 'done other', 'done second']);
  });

  it('runs one job at a time when atOnce is 1, and treats jobs without a key as keys of their own', async () => {
    const jobs: Job[] = [
      { id: 'x', singletonKey: null },
      { id: 'y', singletonKey: null },
    ];
    const control = controlledRun();
    const results = runBatch(jobs, 1, control.run);
    await flush();
    expect(control.started).toEqual(['x']);
    await control.finish('x');
    expect(control.started).toEqual(['x', 'y']);
    await control.finish('y');
    expect(await results).toEqual(['done x', 'done y']);
    expect(control.mostAtOnce()).toBe(1);

    const parallel = controlledRun();
    const both = runBatch(jobs, 2, parallel.run);
    await flush();
    expect(parallel.started).toEqual(['x', 'y']);
    await parallel.finish('x');
    await parallel.finish('y');
    await both;
  });
});
