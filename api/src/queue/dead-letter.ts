import type { JobWithMetadata } from 'pg-boss';
import type { Queue } from './create-queue.ts';

// pg-boss's `key_strict_fifo` holds back a key's later jobs while one of its jobs is active, in
// retry, or failed, and a failed one stays failed until it is retried or deleted (pg-boss's own
// docs: "to unblock a key after a permanent failure, delete the failed job or retry it"). With a
// dead-letter queue the failed job's payload and error are already copied there, in the same
// statement that failed it, so deleting the original loses nothing and lets the key move on.

/** What pg-boss stores as a failed job's output: the error's code and message, never its stack. */
export function jobFailureOutput(error: unknown): Record<string, unknown> {
  const typed = error as { code?: unknown; retryable?: unknown; message?: unknown; detail?: unknown } | null;
  const message = error instanceof Error ? error.message : typeof typed?.message === 'string' ? typed.message : String(error);
  return {
    message,
    ...(typeof typed?.code === 'string' ? { code: typed.code } : {}),
    ...(typeof typed?.retryable === 'boolean' ? { retryable: typed.retryable } : {}),
    ...(typed?.detail !== undefined ? { detail: jsonSafe(typed.detail) } : {}),
  };
}

function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner))) as unknown;
  } catch {
    return String(value);
  }
}

export type DeadLetterOutcome = 'dead_lettered' | 'claim_lost';

/**
 * For a job on its last attempt: fails it (pg-boss copies it to the queue's dead-letter queue with
 * `output`) and deletes the failed original so its key is free. The fail is fenced to the attempt
 * the worker holds, so a job whose claim lapsed (and was retried elsewhere) is left alone; the
 * delete goes by id, since pg-boss's fence only matches active jobs and this one is failed now.
 *
 * Not one transaction: pg-boss's embedded backend cannot open one for us. A crash between the two
 * calls leaves a failed job whose copy is already dead-lettered; `findFailedJobs` +
 * `deleteFailedJobs` (run by the worker at start and every minute) finish the job.
 */
export async function deadLetterAndReleaseKey(boss: Queue, job: Pick<JobWithMetadata<unknown>, 'name' | 'id' | 'retryCount'>, output: object): Promise<DeadLetterOutcome> {
  const attempt = { id: job.id, retryCount: job.retryCount };
  const failed = await boss.fail(job.name, attempt, output);
  if (affected(failed) === 0) return 'claim_lost';
  await boss.deleteJob(job.name, job.id);
  return 'dead_lettered';
}

/** Failed jobs of a key_strict_fifo queue, each holding back its key: at most `limit` keys' worth. */
export async function findFailedJobs(boss: Queue, queue: string, { limit = 500 }: { limit?: number } = {}): Promise<JobWithMetadata<unknown>[]> {
  const keys = await boss.getBlockedKeys(queue, { limit });
  const failed: JobWithMetadata<unknown>[] = [];
  for (const key of keys) {
    const jobs = await boss.findJobs(queue, { key });
    failed.push(...jobs.filter((job) => job.state === 'failed'));
  }
  return failed;
}

/** Deletes failed jobs (their copies are in the dead-letter queue), freeing their keys. */
export async function deleteFailedJobs(boss: Queue, queue: string, jobs: readonly Pick<JobWithMetadata<unknown>, 'id'>[]): Promise<number> {
  if (jobs.length === 0) return 0;
  return affected(
    await boss.deleteJob(
      queue,
      jobs.map((job) => job.id),
    ),
  );
}

/** pg-boss 12.38 returns `{ jobs, requested, affected }` from its mutators, though its typings declare an empty `CommandResponse`. */
function affected(response: unknown): number {
  const count = (response as { affected?: unknown } | null)?.affected;
  return typeof count === 'number' ? count : 0;
}
