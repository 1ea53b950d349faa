import { createTestDatabase, openSecondClient, type TestDatabase } from '@sagesync/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobsAtInvoiceLock, withInvoiceLock } from '../../../src/sync/processors/invoice-posting-lock.ts';

// The lock an invoice's job and its charges' jobs take around "look the invoice up in Sage, create
// it if missing". Each test uses its own invoice id, so tests never share a lock.

const embedded = !process.env.DATABASE_URL;

function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe(`the invoice posting lock (${embedded ? 'embedded PGlite' : 'PostgreSQL'})`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  }, 120_000);
  afterAll(() => db.dispose());

  it('lets one job at a time work on an invoice, in arrival order, while another invoice’s job runs freely', async () => {
    const seen: string[] = [];
    const holdFirst = gate();
    const first = withInvoiceLock(db.prisma, 'int_a', 'in_one', async () => {
      seen.push('first in');
      await holdFirst.opened;
      seen.push('first out');
      return 'first';
    });
    await vi.waitFor(() => expect(seen).toEqual(['first in']), { timeout: 20_000 });
    const second = withInvoiceLock(db.prisma, 'int_a', 'in_one', async () => {
      seen.push('second in');
      return 'second';
    });

    const other = await withInvoiceLock(db.prisma, 'int_a', 'in_two', async () => {
      seen.push('other invoice');
      return 'other';
    });

    expect(other).toBe('other');
    expect(jobsAtInvoiceLock('int_a', 'in_one')).toBe(2);
    expect(seen).toEqual(['first in', 'other invoice']);
    holdFirst.open();
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
    expect(seen).toEqual(['first in', 'other invoice', 'first out', 'second in']);
    expect(jobsAtInvoiceLock('int_a', 'in_one')).toBe(0);
  });

  it('is released when the work fails, and the failure reaches the caller unchanged', async () => {
    const failure = Object.assign(new Error('Sage refused the invoice'), { code: 'SAGE_VALIDATION', retryable: false });

    await expect(withInvoiceLock(db.prisma, 'int_b', 'in_fail', async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await withInvoiceLock(db.prisma, 'int_b', 'in_fail', async () => 'next holder')).toBe('next holder');
    expect(jobsAtInvoiceLock('int_b', 'in_fail')).toBe(0);
  });

  it('does not keep a transaction open on PGlite, so the work can use the database while it holds the lock', async () => {
    // On PGlite a transaction would hold the process's only connection: this query would wait for
    // it until it timed out. On PostgreSQL it runs on another pooled connection.
    const count = await withInvoiceLock(db.prisma, 'int_c', 'in_query', async () => {
      const rows = await db.prisma.$queryRaw<{ n: number }[]>`SELECT 1 AS n`;
      return rows.length;
    });

    expect(count).toBe(1);
  });

  it('waits while another worker’s job holds the same invoice, and goes on when it lets go', async () => {
    let entered = false;
    if (db.kind === 'postgres') {
      // Another worker process: its own connection, holding the advisory lock in a transaction.
      const otherWorker = new pg.Client({ connectionString: db.url });
      await otherWorker.connect();
      try {
        await otherWorker.query('BEGIN');
        await otherWorker.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['int_d', 'invoice:in_shared']);
        const ours = withInvoiceLock(db.prisma, 'int_d', 'in_shared', async () => {
          entered = true;
        });
        await vi.waitFor(async () => {
          // pg_locks covers the whole server, where other test databases live too.
          const waiting = await db.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          );
          expect(Number(waiting[0]?.n)).toBe(1);
        }, { timeout: 20_000 });
        expect(entered).toBe(false);
        await otherWorker.query('COMMIT');
        await ours;
      } finally {
        await otherWorker.end();
      }
    } else {
      // PGlite serves one process: another worker is another job there, on a client of its own.
      const other = await openSecondClient(db);
      try {
        const holdOther = gate();
        const theirs = withInvoiceLock(other.prisma, 'int_d', 'in_shared', () => holdOther.opened);
        await vi.waitFor(() => expect(jobsAtInvoiceLock('int_d', 'in_shared')).toBe(1));
        const ours = withInvoiceLock(db.prisma, 'int_d', 'in_shared', async () => {
          entered = true;
        });
        expect(jobsAtInvoiceLock('int_d', 'in_shared')).toBe(2);
        await Promise.resolve();
        expect(entered).toBe(false);
        holdOther.open();
        await Promise.all([theirs, ours]);
      } finally {
        await other.close();
      }
    }
    expect(entered).toBe(true);
  });

  it('finishes when more jobs hold different invoices at once than the pool has connections, each working through the pool', async () => {
    // A worker runs many jobs at once. Each holder's work queries through the ordinary client, as
    // the processors do; with every pooled connection carrying a lock transaction, that query would
    // wait for ever.
    const holders = 14;
    const finished = await Promise.all(
      Array.from({ length: holders }, (_, n) =>
        withInvoiceLock(db.prisma, 'int_many', `in_${n}`, async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const [row] = await db.prisma.$queryRaw<{ n: number }[]>`SELECT ${n}::int AS n`;
          return row?.n;
        }),
      ),
    );
    expect(finished).toEqual(Array.from({ length: holders }, (_, n) => n));
  }, 60_000);
});
