import type { Database } from '@sagesync/db';
import { fromPrisma } from 'pg-boss';
import type { Queue } from '../../queue/create-queue.ts';
import type { AcceptedStripeEvent } from './classify-stripe-event.ts';
import { SYNC_OBJECT_QUEUE, syncObjectJob, ZSyncObjectJobPayload } from './sync-object-job.ts';

export type StoreOutcome =
  | { outcome: 'stored'; integrationId: string; orgId: string }
  | { outcome: 'duplicate'; integrationId: string; orgId: string }
  | { outcome: 'ignored'; reason: 'unknown_account' | 'livemode_mismatch' };

type StoredRow = {
  eventId: string;
  integrationId: string | null;
  orgId: string | null;
  integrationLivemode: boolean | null;
  inserted: boolean;
};

// One statement per batch: find each event's integration (by connected account on the platform
// endpoint, by id on an integration's own endpoint), insert the events of known integrations whose
// mode matches, and report every input row with whether this transaction inserted it. ON CONFLICT
// DO NOTHING makes a redelivery (or a concurrent batch holding the same event) a no-op whose row
// comes back with inserted = false, so only first deliveries get a job.
const STORE_EVENTS_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
    "eventId" text, "accountId" text, "integrationId" text, type text, "objectType" text, "objectId" text,
    livemode boolean, "apiVersion" text, created bigint, payload jsonb)
),
resolved AS (
  SELECT input.*, COALESCE(by_id.id, by_account.id) AS "resolvedIntegrationId",
         COALESCE(by_id."orgId", by_account."orgId") AS "orgId",
         COALESCE(by_id.livemode, by_account.livemode) AS "integrationLivemode"
  FROM input
  LEFT JOIN integrations by_id ON by_id.id = input."integrationId" AND by_id.source = 'stripe'
  LEFT JOIN integrations by_account ON input."integrationId" IS NULL
    AND by_account.source = 'stripe' AND by_account."sourceAccountId" = input."accountId"
),
inserted AS (
  INSERT INTO received_events
    (id, "orgId", "integrationId", source, "eventId", type, "objectType", "objectId", livemode, "apiVersion", "sourceCreatedAt", payload)
  SELECT gen_random_uuid()::text, "orgId", "resolvedIntegrationId", 'stripe', "eventId", type, "objectType", "objectId",
         livemode, "apiVersion", to_timestamp(created), payload
  FROM resolved
  WHERE "resolvedIntegrationId" IS NOT NULL AND livemode = "integrationLivemode"
  ON CONFLICT (source, "eventId") DO NOTHING
  RETURNING "eventId"
)
SELECT r."eventId", r."resolvedIntegrationId" AS "integrationId", r."orgId", r."integrationLivemode",
       (i."eventId" IS NOT NULL) AS inserted
FROM resolved r LEFT JOIN inserted i ON i."eventId" = r."eventId"
`;

/** One recordset row; the payload is spliced in as the exact JSON text Stripe signed (already parsed once). */
function recordsetRow(event: AcceptedStripeEvent): string {
  const meta = JSON.stringify({
    eventId: event.eventId,
    accountId: event.tenant.kind === 'account' ? event.tenant.accountId : null,
    integrationId: event.tenant.kind === 'integration' ? event.tenant.integrationId : null,
    type: event.type,
    objectType: event.objectType,
    objectId: event.objectId,
    livemode: event.livemode,
    apiVersion: event.apiVersion,
    created: event.created,
  });
  return `${meta.slice(0, -1)},"payload":${event.payloadText}}`;
}

export type StoreStripeEventsOptions = {
  /** How long a batch may wait for a connection, and run, before it fails (and Stripe retries). */
  maxWaitMs?: number;
  timeoutMs?: number;
};

/**
 * Stores a batch of verified events and enqueues one sync job per newly stored event, in one
 * transaction: a crash or error leaves neither an event without its job nor a job without its event.
 * Results are in input order; an event id repeated within the batch is stored once and its later
 * copies report `duplicate`.
 */
export async function storeStripeEvents(
  db: Database,
  boss: Queue,
  events: readonly AcceptedStripeEvent[],
  { maxWaitMs = 5_000, timeoutMs = 10_000 }: StoreStripeEventsOptions = {},
): Promise<StoreOutcome[]> {
  const unique = new Map<string, AcceptedStripeEvent>();
  for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
  const recordset = `[${[...unique.values()].map(recordsetRow).join(',')}]`;

  const rows = await db.prisma.$transaction(
    async (tx) => {
      const stored = await tx.$queryRawUnsafe<StoredRow[]>(STORE_EVENTS_SQL, recordset);
      const jobs = stored
        .filter((row) => row.inserted)
        .map((row) => {
          const event = unique.get(row.eventId);
          if (!event || !row.integrationId || !row.orgId) throw new Error(`stored event ${row.eventId} came back without its integration`);
          return syncObjectJob(
            ZSyncObjectJobPayload.parse({
              integrationId: row.integrationId,
              orgId: row.orgId,
              objectType: event.objectType,
              objectId: event.objectId,
              eventId: event.eventId,
            }),
          );
        });
      // Inside the transaction through its own connection: a job exists exactly when its event does.
      // (On PGlite a pg-boss call without `db` would wait for this very transaction to end.)
      if (jobs.length > 0) await boss.insert(SYNC_OBJECT_QUEUE, jobs, { db: fromPrisma(tx) });
      return stored;
    },
    { maxWait: maxWaitMs, timeout: timeoutMs },
  );

  const byEventId = new Map(rows.map((row) => [row.eventId, row]));
  const answered = new Set<string>();
  return events.map((event): StoreOutcome => {
    const row = byEventId.get(event.eventId);
    if (!row) throw new Error(`event ${event.eventId} is missing from its batch's result`);
    if (!row.integrationId || !row.orgId) return { outcome: 'ignored', reason: 'unknown_account' };
    if (row.integrationLivemode !== event.livemode) return { outcome: 'ignored', reason: 'livemode_mismatch' };
    const first = !answered.has(event.eventId);
    answered.add(event.eventId);
    return { outcome: row.inserted && first ? 'stored' : 'duplicate', integrationId: row.integrationId, orgId: row.orgId };
  });
}

/**
 * Errors caused by one event's content rather than by the database being unavailable (SQLSTATE
 * classes 22, data exception, such as a \u0000 Postgres refuses in JSON, and 23, integrity, such as
 * an integration deleted mid-batch): worth retrying the batch one event at a time.
 */
export function isPerEventFailure(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== null && (code.startsWith('22') || code.startsWith('23'));
}

function sqlStateOf(error: unknown, depth = 0): string | null {
  if (depth > 5 || typeof error !== 'object' || error === null) return null;
  const fields = error as Record<string, unknown>;
  // Prisma's own code (P2010, "raw query failed") wraps the database's: look inside it for that one.
  if (!('clientVersion' in fields)) {
    for (const key of ['originalCode', 'code']) {
      const value = fields[key];
      if (typeof value === 'string' && /^[0-9A-Z]{5}$/.test(value)) return value;
    }
  }
  for (const key of ['meta', 'driverAdapterError', 'cause']) {
    const found = sqlStateOf(fields[key], depth + 1);
    if (found) return found;
  }
  return null;
}
