import { randomUUID } from 'node:crypto';
import type { Database, Keyring } from '@sagesync/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController } from 'fastify';
import type { Env } from '../config/env.ts';
import { timedCheck } from '../observability/health-check.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { queueStatus, type Queue } from '../queue/create-queue.ts';
import { createContextFactory } from '../trpc/context.ts';
import { checkMutationRequest } from '../trpc/mutation-guard.ts';
import { appRouter, type AppRouter } from '../trpc/root-router.ts';
import type { IngestSettings } from '../sync/ingest/stripe-event-ingest.ts';
import { metricsAccessHook } from './metrics-access.ts';
import { stripeAppRoutes, type StripeReaderFor } from './stripe-app/stripe-app-routes.ts';
import { stripeWebhookRoutes } from './stripe-webhook-route.ts';

export type ServerDependencies = {
  env: Pick<Env, 'NEXTAUTH_SECRET' | 'PORTAL_ORIGIN'> & Partial<Pick<Env, 'STRIPE_WEBHOOK_SECRETS' | 'STRIPE_LIVEMODE' | 'STRIPE_APP_SECRET' | 'METRICS_TOKEN'>>;
  db: Database;
  boss: Queue;
  log: Logger;
  /** Opens integrations' encrypted webhook secrets; without it single-account webhooks answer 503. */
  keyring?: Keyring | null;
  /** Tuning of the webhook batcher (the bench varies it); defaults suit production. */
  ingest?: Partial<IngestSettings>;
  /** Stripe readers for the Stripe App's payments not recorded yet; without them those answer 404. */
  stripeFor?: StripeReaderFor | null;
};

/** An incoming request id is kept only when it is a short token: it goes into logs and headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const TRPC_PREFIX = '/trpc';

/** Builds the api's HTTP server. It does not listen: main (or a test) decides where. */
export async function buildServer({ env, db, boss, log, keyring = null, ingest, stripeFor = null }: ServerDependencies) {
  const metrics = createMetrics();
  const server = Fastify({
    loggerInstance: log,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // tRPC batches can be long; 1 MiB is far above any form the portal sends.
    bodyLimit: 1024 * 1024,
  });

  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  server.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL, keeps the label set small.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  server.get('/healthz', async (_request, reply) => {
    const [database, queue] = await Promise.all([
      timedCheck(async () => {
        await db.query('SELECT 1');
        return { kind: db.kind };
      }),
      queueStatus(boss),
    ]);
    const failing = [...(database.ok ? [] : ['database']), ...(queue.ok ? [] : ['queue'])];
    const body = {
      status: failing.length === 0 ? 'ok' : 'unavailable',
      ...(failing.length > 0 ? { failing } : {}),
      database: { ...database, kind: db.kind },
      queue,
    };
    return reply.code(failing.length === 0 ? 200 : 503).send(body);
  });

  server.get('/metrics', { onRequest: metricsAccessHook(env.METRICS_TOKEN ?? null) }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  await server.register(stripeWebhookRoutes, {
    db,
    boss,
    keyring,
    platformSecrets: env.STRIPE_WEBHOOK_SECRETS ?? [],
    livemode: env.STRIPE_LIVEMODE ?? false,
    registry: metrics.registry,
    ...(ingest ? { ingest } : {}),
  });

  await server.register(stripeAppRoutes, { db, boss, appSecret: env.STRIPE_APP_SECRET ?? null, portalOrigin: env.PORTAL_ORIGIN, stripeFor });

  await server.register(async (trpc) => {
    // Every POST to /trpc is a state change (tRPC sends queries as GET), so the content-type and
    // cross-site checks run before the body is even parsed. The same checks run again on every
    // mutation inside tRPC, for callers that reach a procedure another way.
    trpc.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST') return;
      const refusal = checkMutationRequest(request.headers, env.PORTAL_ORIGIN);
      if (!refusal) return;
      request.log.warn({ refusal: refusal.code, origin: request.headers.origin }, 'mutation refused');
      return reply.code(refusal.httpStatus).send({
        error: { message: refusal.message, data: { code: refusal.code, httpStatus: refusal.httpStatus, requestId: request.id } },
      });
    });

    await trpc.register(fastifyTRPCPlugin, {
      prefix: TRPC_PREFIX,
      trpcOptions: {
        router: appRouter,
        createContext: createContextFactory({
          prisma: db.prisma,
          sessionSecret: env.NEXTAUTH_SECRET,
          portalOrigin: env.PORTAL_ORIGIN,
          boss,
        }),
        onError({ error, path, req }) {
          // The request's own logger: it carries the request id even when no context was built.
          const log = req.log;
          if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error, path }, 'procedure failed');
          else log.info({ path, code: error.code }, 'procedure refused');
        },
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  });

  return server;
}

export type ApiServer = Awaited<ReturnType<typeof buildServer>>;
