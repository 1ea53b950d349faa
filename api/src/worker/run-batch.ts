// How the jobs of one fetched batch run: up to `atOnce` at a time, except that jobs sharing a key
// (one Stripe object's events) run one after another in the order fetched. pg-boss's
// key_strict_fifo fetches one job per key at a time, but the order of one object's events must not
// rest on that alone.

type BatchJob = { id: string; singletonKey: string | null };

/** Runs every job; answers each job's result in the batch's order. */
export async function runBatch<J extends BatchJob, R>(jobs: readonly J[], atOnce: number, run: (job: J) => Promise<R>): Promise<R[]> {
  const chains = new Map<string, J[]>();
  for (const job of jobs) {
    const key = job.singletonKey ?? `job:${job.id}`;
    const chain = chains.get(key);
    if (chain) chain.push(job);
    else chains.set(key, [job]);
  }
  const results = new Map<J, R>();
  const waiting = [...chains.values()];
  const lane = async () => {
    for (let chain = waiting.shift(); chain; chain = waiting.shift()) {
      for (const job of chain) results.set(job, await run(job));
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(atOnce), waiting.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return jobs.map((job) => results.get(job) as R);
}
