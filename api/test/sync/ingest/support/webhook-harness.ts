import { randomBytes } from 'node:crypto';
import {
  generateMasterKey,
  integrationSecretContext,
  loadKeyring,
  sealSecret,
  type Integration,
  type Keyring,
  type Organization,
} from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import type { JobWithMetadata } from 'pg-boss';
import Stripe from 'stripe';
import { loadEnv } from '../../../../src/config/env.ts';
import { buildServer, type ApiServer } from '../../../../src/http/server.ts';
import { createLogger, type Logger } from '../../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../../src/queue/create-queue.ts';
import type { IngestSettings } from '../../../../src/sync/ingest/stripe-event-ingest.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import { createIntegration, createOrganization } from '../../../support/builders.ts';
import { TEST_PORTAL_URL, TEST_SESSION_SECRET } from '../../../support/test-api.ts';

export const PLATFORM_SECRET = 'whsec_platform_test_secret';

export type WebhookApi = {
  url: string;
  database: TestDatabase;
  boss: Queue;
  keyring: Keyring;
  server: ApiServer;
  close(): Promise<void>;
};

/** A real api on a random port over its own database, with the platform webhook secret(s) set. */
export async function startWebhookApi(
  options: { secrets?: string[]; livemode?: boolean; log?: Logger; ingest?: Partial<IngestSettings> } = {},
): Promise<WebhookApi> {
  const log = options.log ?? createLogger({ level: 'silent' });
  const secrets = options.secrets ?? [PLATFORM_SECRET];
  const env = {
    ...loadEnv({
      NODE_ENV: 'test',
      NEXTAUTH_SECRET: TEST_SESSION_SECRET,
      PORTAL_URL: TEST_PORTAL_URL,
      STRIPE_WEBHOOK_SECRET: secrets.join(','),
      STRIPE_LIVEMODE: String(options.livemode ?? false),
    }),
    // As with PostgreSQL and no STRIPE_WEBHOOK_SECRET (the embedded default would be the demo secret).
    STRIPE_WEBHOOK_SECRETS: secrets,
  };
  const database = await createTestDatabase();
  const boss = await createQueue(database, { log, supervise: false, schedule: false });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'test-1' });
  const server = await buildServer({ env, db: database, boss, log, keyring, ...(options.ingest ? { ingest: options.ingest } : {}) });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    database,
    boss,
    keyring,
    server,
    async close() {
      await server.close();
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await database.dispose();
    },
  };
}

/** An organization with one Stripe integration (a connected account), optionally with its own webhook secret. */
export async function createStripeTenant(
  api: WebhookApi,
  options: { webhookSecret?: string; livemode?: boolean } = {},
): Promise<{ org: Organization; integration: Integration }> {
  const prisma = api.database.prisma;
  const org = await createOrganization(prisma);
  let integration = await createIntegration(prisma, org);
  if (options.livemode !== undefined || options.webhookSecret !== undefined) {
    integration = await prisma.integration.update({
      where: { id: integration.id },
      data: {
        ...(options.livemode !== undefined ? { livemode: options.livemode } : {}),
        ...(options.webhookSecret !== undefined
          ? { webhookSecret: sealSecret(api.keyring, options.webhookSecret, integrationSecretContext(integration)) }
          : {}),
      },
    });
  }
  return { org, integration };
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

type EventOptions = {
  id?: string;
  type?: string;
  account?: string | null;
  livemode?: boolean;
  object?: Record<string, unknown>;
  created?: number;
};

/** A Stripe event as Stripe sends it: pretty-printed JSON, which is what gets signed. */
export function stripeEvent(options: EventOptions = {}): { id: string; payload: string; objectId: string } {
  const type = options.type ?? 'charge.succeeded';
  const object = options.object ?? { id: newId('ch'), object: 'charge', amount: 2_500, currency: 'usd', status: 'succeeded' };
  const event = {
    id: options.id ?? newId('evt'),
    object: 'event',
    api_version: '2025-09-30.clover',
    created: options.created ?? Math.floor(Date.now() / 1000) - 2,
    data: { object },
    livemode: options.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...(options.account === null ? {} : { account: options.account ?? 'acct_unknown' }),
  };
  return { id: event.id, payload: JSON.stringify(event, null, 2), objectId: String(object.id) };
}

export function signatureFor(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp === undefined ? {} : { timestamp }) });
}

export type Delivery = { status: number; body: Record<string, unknown> };

/** POSTs a body as Stripe does, signed with `secret` unless a header is given. */
export async function deliver(
  url: string,
  payload: string,
  options: { secret?: string; signature?: string | null; timestamp?: number; contentType?: string; path?: string } = {},
): Promise<Delivery> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json; charset=utf-8' };
  const signature = options.signature === undefined ? signatureFor(payload, options.secret ?? PLATFORM_SECRET, options.timestamp) : options.signature;
  if (signature !== null) headers['stripe-signature'] = signature;
  const response = await fetch(`${url}${options.path ?? '/webhooks/stripe'}`, { method: 'POST', headers, body: payload });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function storedEvents(api: WebhookApi, eventId?: string) {
  return api.database.prisma.receivedEvent.findMany({ where: eventId ? { eventId } : {}, orderBy: { receivedAt: 'asc' } });
}

export async function syncJobs(api: WebhookApi, eventId?: string): Promise<JobWithMetadata<SyncObjectJobPayload>[]> {
  return api.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, eventId ? { data: { eventId } } : {});
}
