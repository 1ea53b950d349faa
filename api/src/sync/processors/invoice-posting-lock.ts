import type { PrismaClient } from '@sagesync/db';

// An invoice and the charges that pay it are different queue keys, so their jobs may run at the
// same time, and each makes sure the Sage invoice (and the charge's receipt) exists: looked up,
// created when missing. Side by side, both lookups could miss and both create, and Sage does not
// always refuse the second. So lookup and create run one holder at a time per invoice.
//
// - PostgreSQL (any number of worker processes): a transaction-scoped advisory lock on
//   (integration, invoice). The transaction only carries the lock; the work uses the ordinary
//   client. The lock ends with the transaction, also when the process dies.
// - PGlite: its one connection serves the whole process, and a transaction open across the Sage
//   calls would block every other query of the process until it timed out (the Sage rate budget
//   itself lives in the database). PGlite belongs to exactly one process, so a lock inside the
//   process is the whole lock there.
// Both back ends also queue holders inside the process first, so waiters do not each hold a
// pooled PostgreSQL connection. And on PostgreSQL only a few lock transactions are open at once
// per process: each holds a pooled connection while its work needs another one from the same
// pool, so as many holders as connections (a worker runs many jobs at once) would leave every
// holder waiting for a connection that only a holder can give back.

/** Longest a holder may keep the lock: Sage calls with their retries and rate-budget waits. */
const LOCK_HELD_AT_MOST_MS = 5 * 60_000;
/** Longest a job waits for a pooled connection to start its lock transaction. */
const CONNECTION_WAIT_MS = 30_000;

/** Lock transactions open at once in one process; well under the pool's 10 connections. */
export const LOCK_TRANSACTIONS_AT_ONCE = 3;

/** Per key: the promise the next comer waits on, and how many hold or wait. */
const queues = new Map<string, { tail: Promise<void>; jobs: number }>();

async function withProcessLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const queue = queues.get(key) ?? { tail: Promise.resolve(), jobs: 0 };
  const previous = queue.tail;
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  queue.tail = previous.then(() => mine);
  queue.jobs += 1;
  queues.set(key, queue);
  try {
    await previous;
    return await work();
  } finally {
    release();
    queue.jobs -= 1;
    if (queue.jobs === 0 && queues.get(key) === queue) queues.delete(key);
  }
}

function lockKey(integrationId: string, invoiceId: string): string {
  return `${integrationId}:invoice:${invoiceId}`;
}

/** How many jobs of this process hold or wait for the invoice's lock (for logs, and tests that race two jobs). */
export function jobsAtInvoiceLock(integrationId: string, invoiceId: string): number {
  return queues.get(lockKey(integrationId, invoiceId))?.jobs ?? 0;
}

type DatabaseKind = 'postgres' | 'pglite';
const kinds = new WeakMap<PrismaClient, Promise<DatabaseKind>>();

/** PGlite names itself in version() ("PostgreSQL 18.6 (PGlite 0.5.16) on wasm32…"). */
function databaseKind(db: PrismaClient): Promise<DatabaseKind> {
  let kind = kinds.get(db);
  if (!kind) {
    kind = db.$queryRaw<{ version: string }[]>`SELECT version() AS version`.then(([row]) => (row?.version.includes('(PGlite') ? 'pglite' : 'postgres'));
    // A failed probe is not remembered: the next caller asks again.
    kind.catch(() => kinds.delete(db));
    kinds.set(db, kind);
  }
  return kind;
}

/** Runs `work` while no other job of any worker holds the lock of this integration's invoice. */
export async function withInvoiceLock<T>(db: PrismaClient, integrationId: string, invoiceId: string, work: () => Promise<T>): Promise<T> {
  return withProcessLock(lockKey(integrationId, invoiceId), async () => {
    if ((await databaseKind(db)) === 'pglite') return work();
    return withTransactionSlot(() =>
      db.$transaction(
        async (tx) => {
          // Two int4 keys from hashtext: a rare collision only makes an unrelated invoice wait.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${integrationId}), hashtext(${`invoice:${invoiceId}`}))`;
          return work();
        },
        { maxWait: CONNECTION_WAIT_MS, timeout: LOCK_HELD_AT_MOST_MS },
      ),
    );
  });
}

let openTransactions = 0;
const waitingForSlot: (() => void)[] = [];

async function withTransactionSlot<T>(work: () => Promise<T>): Promise<T> {
  if (openTransactions >= LOCK_TRANSACTIONS_AT_ONCE) await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  else openTransactions += 1;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next waiter, so the count stays right without a re-check.
    const next = waitingForSlot.shift();
    if (next) next();
    else openTransactions -= 1;
  }
}
