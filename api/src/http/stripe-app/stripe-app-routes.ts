import type { Database, Integration } from '@sagesync/db';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Queue } from '../../queue/create-queue.ts';
import { requestResync, ResyncRefusedError } from '../../sync/request-resync.ts';
import { chargeStatus, findChargeRecord, integrationHealth, recentPayouts, resolvePaymentIntent, type ViewContext } from './app-views.ts';
import { AppRequestRejectedError, verifyAppRequest, type SignedAppRequest } from './verify-app-request.ts';

export const STRIPE_APP_PREFIX = '/stripe-app';
/** The extension sends a handful of short strings. */
export const MAX_APP_BODY_BYTES = 16 * 1024;
/** The Origin of the Stripe App's sandboxed iframe. */
export const STRIPE_APP_ORIGIN = 'null';

export type StripeAppRouteOptions = {
  db: Database;
  boss: Queue;
  /** `STRIPE_APP_SECRET`; without it every route refuses with 401. */
  appSecret: string | null;
  /** Where record, review and settings links point. */
  portalOrigin: string;
};

type ErrorBody = { error: { code: string; message: string; action?: string; retryable?: boolean } };

class AppHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody['error'],
  ) {
    super(body.message);
  }
}

const NOT_FOUND_PAYMENT = (what: string) =>
  new AppHttpError(404, {
    code: 'NOT_FOUND',
    message: `Sage Sync has no record of ${what} yet.`,
    action: 'If the payment is new, try again in a minute; otherwise check the integration in Sage Sync.',
    retryable: true,
  });

function allowCors(request: FastifyRequest, reply: FastifyReply) {
  reply.header('vary', 'Origin');
  if (request.headers.origin === STRIPE_APP_ORIGIN) reply.header('access-control-allow-origin', STRIPE_APP_ORIGIN);
}

/**
 * `POST /stripe-app/<route>`: the Stripe App's backend. Each request is verified against the app's
 * signing secret before anything else, and the tenant is the integration of the signed
 * `account_id`, never anything else in the body. CORS answers only the extension's `null` origin.
 */
export const stripeAppRoutes: FastifyPluginAsync<StripeAppRouteOptions> = async (scope, options) => {
  // The body is kept as text and parsed here, so a malformed one gets this contract's error body.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_APP_BODY_BYTES }, (_request, body, done) => done(null, body));
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    allowCors(request, reply);
    if (error instanceof AppHttpError) return reply.code(error.status).send({ error: error.body });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    request.log.error({ err: error }, 'stripe app request failed');
    return reply.code(500).send({ error: { code: 'BACKEND_FAILED', message: 'Sage Sync could not answer just now.', retryable: true } });
  });

  scope.options(`${STRIPE_APP_PREFIX}/*`, async (request, reply) => {
    reply.header('vary', 'Origin');
    if (request.headers.origin !== STRIPE_APP_ORIGIN) {
      return reply.code(403).send({ error: { code: 'CORS_ORIGIN_REFUSED', message: 'Only the Stripe App may call these routes from a browser.' } });
    }
    return reply
      .code(204)
      .header('access-control-allow-origin', STRIPE_APP_ORIGIN)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type, stripe-signature')
      .header('access-control-max-age', '600')
      .send();
  });

  /** Verifies, resolves the tenant, then runs the route; every refusal answers the contract's error body. */
  function route<F extends string>(path: string, fields: readonly F[], handler: (signed: SignedAppRequest<F>, context: ViewContext, request: FastifyRequest) => Promise<unknown>) {
    scope.post(`${STRIPE_APP_PREFIX}/${path}`, async (request, reply) => {
      allowCors(request, reply);
      let signed: SignedAppRequest<F>;
      try {
        signed = verifyAppRequest(parseBody(request.body), request.headers['stripe-signature'], fields, options.appSecret);
      } catch (error) {
        if (!(error instanceof AppRequestRejectedError)) throw error;
        request.log.warn({ code: error.code, route: path }, 'stripe app request refused');
        return reply.code(401).send({ error: { code: error.code, message: error.message, action: 'Reload the page; if it keeps happening, reinstall the app.' } });
      }
      const integration = await findIntegration(options.db, signed.accountId);
      if (!integration) {
        return reply.code(409).send({
          error: { code: 'ACCOUNT_NOT_LINKED', message: 'This Stripe account is not linked to Sage Sync.', action: 'Open the app settings to link it.' },
        });
      }
      const body = await handler(signed, { db: options.db.prisma, integration, portalOrigin: options.portalOrigin }, request);
      return reply.code(200).send(body);
    });
  }

  route('charge-status', ['object_id'], async ({ fields }, context) => {
    let chargeId = fields.object_id;
    if (chargeId.startsWith('pi_')) {
      const resolved = await resolvePaymentIntent(context, chargeId);
      if (!resolved) throw NOT_FOUND_PAYMENT('a charge of this PaymentIntent');
      chargeId = resolved;
    } else if (!chargeId.startsWith('ch_') && !chargeId.startsWith('py_')) {
      throw new AppHttpError(400, { code: 'OBJECT_ID_UNSUPPORTED', message: 'Sage status is shown for charges and PaymentIntents only.' });
    }
    const record = await findChargeRecord(context, chargeId);
    if (!record) throw NOT_FOUND_PAYMENT('this payment');
    return chargeStatus(context, record);
  });

  route('resync', ['charge_id'], async ({ fields, userId }, context, request) => {
    const record = await findChargeRecord(context, fields.charge_id);
    if (!record) throw NOT_FOUND_PAYMENT('this payment');
    try {
      await requestResync(context.db, options.boss, record, { kind: 'stripe_app', id: userId, requestId: request.id });
    } catch (error) {
      if (!(error instanceof ResyncRefusedError)) throw error;
      return { status: 'failed', message: error.message, action: record.status === 'held' ? 'Approve or reject it in the review queue.' : 'Open the record in Sage Sync.' };
    }
    request.log.info({ integrationId: context.integration.id, chargeId: record.sourceObjectId, userId }, 'resync requested from the stripe app');
    return { status: 'queued', message: 'Resync queued: Sage Sync will bring this payment into Sage again in a moment.' };
  });

  route('payouts', [], async (_signed, context) => recentPayouts(context));

  route('health', [], async (_signed, context) => integrationHealth(context));
};

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function findIntegration(db: Database, accountId: string): Promise<Integration | null> {
  return db.prisma.integration.findUnique({ where: { source_sourceAccountId: { source: 'stripe', sourceAccountId: accountId } } });
}
