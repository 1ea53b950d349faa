import { SecretError, type Database, type Keyring } from '@sagesync/db';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Queue } from '../queue/create-queue.ts';
import { classifyStripeEvent, type IgnoreReason, type WebhookEndpoint } from '../sync/ingest/classify-stripe-event.ts';
import { createIngestMetrics, type DeliveryOutcome, type IngestMetrics } from '../sync/ingest/ingest-metrics.ts';
import { loadIntegrationEndpoint } from '../sync/ingest/integration-endpoint.ts';
import { createStripeEventIngest, type IngestSettings, type StripeEventIngest } from '../sync/ingest/stripe-event-ingest.ts';
import { verifyStripeEvent, WebhookRejectedError } from '../sync/ingest/verify-stripe-event.ts';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';
/** Stripe's events are a few kilobytes; a megabyte is far above any of them. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export type StripeWebhookRouteOptions = {
  db: Database;
  boss: Queue;
  /** Opens integrations' webhook secrets (single-account mode); without it that route answers 503. */
  keyring: Keyring | null;
  /** Platform mode: the endpoint secret(s) of `POST /webhooks/stripe`. Empty: that route refuses everything. */
  platformSecrets: readonly string[];
  /** Whether the platform endpoint receives live events (else test-mode ones). */
  livemode: boolean;
  registry: Registry;
  ingest?: Partial<IngestSettings>;
};

type ErrorBody = { error: { code: string; message: string; requestId: string } };

function errorBody(request: FastifyRequest, code: string, message: string): ErrorBody {
  return { error: { code, message, requestId: request.id } };
}

/**
 * `POST /webhooks/stripe` (platform: every connected account's events, tenant from `account`) and
 * `POST /webhooks/stripe/:integrationId` (single-account: verified with that integration's secret).
 * A verified event of a handled type is stored with its sync job in a shared transaction and
 * answered after the commit; nothing here calls Stripe or Sage.
 */
export const stripeWebhookRoutes: FastifyPluginAsync<StripeWebhookRouteOptions> = async (scope, options) => {
  const metrics = createIngestMetrics(options.registry);
  const ingest = await createStripeEventIngest({ db: options.db, boss: options.boss, metrics, settings: options.ingest });
  const platformEndpoint: WebhookEndpoint = { kind: 'platform', livemode: options.livemode };

  // A plugin is its own Fastify context: the parsers set here apply to these routes only.
  // The signature covers the exact bytes, so the body stays a Buffer and is parsed only after
  // verification. Any other content type is refused by Fastify with 415.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BODY_BYTES }, (_request, body, done) =>
    done(null, body),
  );
  scope.setErrorHandler((error: FastifyError, request, reply) => answerFrameworkError(error, request, reply, metrics));
  scope.addHook('onClose', async () => ingest.close());

  scope.post(STRIPE_WEBHOOK_PATH, async (request, reply) =>
    receive(request, reply, { endpoint: platformEndpoint, secrets: options.platformSecrets }, ingest, metrics),
  );

  scope.post<{ Params: { integrationId: string } }>(`${STRIPE_WEBHOOK_PATH}/:integrationId`, async (request, reply) => {
    if (!options.keyring) {
      request.log.error('single-account webhook received, but no encryption key is configured to open its secret');
      return answer(reply, metrics, 'failed', 503, errorBody(request, 'WEBHOOK_KEYRING_UNAVAILABLE', 'Webhook secrets cannot be opened: APP_ENCRYPTION_KEY is not configured.'));
    }
    let resolved;
    try {
      resolved = await loadIntegrationEndpoint(options.db.prisma, options.keyring, request.params.integrationId);
    } catch (error) {
      const code = error instanceof SecretError ? error.code : 'WEBHOOK_ENDPOINT_LOOKUP_FAILED';
      request.log.error({ err: error, integrationId: request.params.integrationId }, 'webhook secret could not be opened');
      return answer(reply, metrics, 'failed', 500, errorBody(request, code, 'The webhook could not be checked; Stripe will retry it.'));
    }
    if (!resolved) {
      request.log.warn({ integrationId: request.params.integrationId }, 'webhook for an unknown endpoint refused');
      return answer(reply, metrics, 'unknown_endpoint', 404, errorBody(request, 'WEBHOOK_ENDPOINT_UNKNOWN', 'No Stripe integration with a webhook secret has this id.'));
    }
    return receive(request, reply, resolved, ingest, metrics);
  });
};

async function receive(
  request: FastifyRequest,
  reply: FastifyReply,
  { endpoint, secrets }: { endpoint: WebhookEndpoint; secrets: readonly string[] },
  ingest: StripeEventIngest,
  metrics: IngestMetrics,
) {
  // A body-less POST never reaches the parser, so it never proved to be JSON.
  if (!Buffer.isBuffer(request.body)) {
    return answer(reply, metrics, 'rejected_content_type', 415, errorBody(request, 'WEBHOOK_CONTENT_TYPE_UNSUPPORTED', 'Send the event as application/json.'));
  }

  let verified;
  try {
    verified = verifyStripeEvent(request.body, request.headers['stripe-signature'], secrets);
  } catch (error) {
    if (!(error instanceof WebhookRejectedError)) throw error;
    request.log.warn({ code: error.code }, 'stripe webhook refused');
    const outcome = error.code === 'WEBHOOK_EVENT_MALFORMED' ? 'rejected_malformed' : 'rejected_signature';
    return answer(reply, metrics, outcome, error.httpStatus, errorBody(request, error.code, error.message));
  }

  const { event } = verified;
  // Fields on each line rather than a child logger: a child per event costs more than the line
  // itself at thousands of events a second, and most of these lines are below the log level.
  const about = { eventId: event.id, eventType: event.type };
  const classification = classifyStripeEvent(event, verified.payloadText, endpoint);
  if ('ignored' in classification) return ignore(request, reply, metrics, about, classification.ignored, event.account);

  let stored;
  try {
    stored = await ingest.ingest(classification.accepted);
  } catch (error) {
    request.log.error({ ...about, err: error }, 'stripe event could not be stored; Stripe will retry it');
    return answer(reply, metrics, 'failed', 500, errorBody(request, 'WEBHOOK_STORE_FAILED', 'The event could not be stored; Stripe will retry it.'));
  }
  if (stored.outcome === 'ignored') return ignore(request, reply, metrics, about, stored.reason, event.account);

  request.log.debug({ ...about, orgId: stored.orgId, integrationId: stored.integrationId, outcome: stored.outcome }, 'stripe event received');
  return answer(reply, metrics, stored.outcome, 200, { received: true, duplicate: stored.outcome === 'duplicate' });
}

function ignore(
  request: FastifyRequest,
  reply: FastifyReply,
  metrics: IngestMetrics,
  about: { eventId: string; eventType: string },
  reason: IgnoreReason,
  account: string | null | undefined,
) {
  request.log.info({ ...about, reason, account: account ?? null }, 'stripe event ignored');
  metrics.countIgnored(reason);
  return answer(reply, metrics, 'ignored', 200, { received: true, ignored: reason });
}

function answer(reply: FastifyReply, metrics: IngestMetrics, outcome: DeliveryOutcome, status: number, body: unknown) {
  metrics.received.inc({ outcome });
  metrics.latency.observe({ outcome }, reply.elapsedTime / 1000);
  return reply.code(status).send(body);
}

/** Refusals Fastify raises before the handler runs: wrong content type, body too large, broken framing. */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, metrics: IngestMetrics) {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return answer(reply, metrics, 'rejected_too_large', 413, errorBody(request, 'WEBHOOK_BODY_TOO_LARGE', `The body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes.`));
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return answer(reply, metrics, 'rejected_content_type', 415, errorBody(request, 'WEBHOOK_CONTENT_TYPE_UNSUPPORTED', 'Send the event as application/json.'));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    request.log.warn({ code: error.code }, 'stripe webhook request refused');
    return answer(reply, metrics, 'rejected_malformed', status, errorBody(request, 'WEBHOOK_BAD_REQUEST', error.message));
  }
  request.log.error({ err: error }, 'stripe webhook failed');
  return answer(reply, metrics, 'failed', 500, errorBody(request, 'WEBHOOK_FAILED', 'The webhook could not be handled; Stripe will retry it.'));
}
