import type { Database, Integration } from '@sagesync/db';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type Stripe from 'stripe';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { isStripeConnectorError } from '../../connectors/stripe/stripe-error.ts';
import type { Queue } from '../../queue/create-queue.ts';
import { requestResync, ResyncRefusedError } from '../../sync/request-resync.ts';
import { ensureSyncRecord } from '../../sync/sync-records.ts';
import { appSettings } from './app-settings.ts';
import { chargeStatus, findChargeRecord, integrationHealth, notSyncedChargeStatus, recentPayouts, resolvePaymentIntent, type ViewContext } from './app-views.ts';
import { createLinkToken } from './link-token.ts';
import { resyncRefusal, stripeUserAccess } from './stripe-user-access.ts';
import { AppRequestRejectedError, verifyAppRequest, type SignedAppRequest } from './verify-app-request.ts';

export const STRIPE_APP_PREFIX = '/stripe-app';
/** The extension sends a handful of short strings. */
export const MAX_APP_BODY_BYTES = 16 * 1024;
/** The Origin of the Stripe App's sandboxed iframe. */
export const STRIPE_APP_ORIGIN = 'null';

/** A reader of the integration's Stripe account (sync-services' `stripeFor`). */
export type StripeReaderFor = (integration: Integration) => Promise<StripeReader>;

export type StripeAppRouteOptions = {
  db: Database;
  boss: Queue;
  /** `STRIPE_APP_SECRET`; without it every route refuses with 401. */
  appSecret: string | null;
  /** Where record, review, settings and link URLs point. */
  portalOrigin: string;
  /**
   * Reads the account's payments from Stripe, for payments Sage Sync has no record of yet (a
   * PaymentIntent with no charge event, a Resync of a charge never seen). Without it those
   * answer 404, as before the record exists.
   */
  stripeFor?: StripeReaderFor | null;
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

const UNSUPPORTED_OBJECT = new AppHttpError(400, { code: 'OBJECT_ID_UNSUPPORTED', message: 'Sage status is shown for charges and PaymentIntents only.' });

function isChargeId(id: string): boolean {
  return id.startsWith('ch_') || id.startsWith('py_');
}

function allowCors(request: FastifyRequest, reply: FastifyReply) {
  reply.header('vary', 'Origin');
  if (request.headers.origin === STRIPE_APP_ORIGIN) reply.header('access-control-allow-origin', STRIPE_APP_ORIGIN);
}

/** Stripe's answer, or why there is none, as this contract's error. The connector already retried. */
async function askStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isStripeConnectorError(error)) throw error;
    if (error.code === 'STRIPE_NOT_FOUND') {
      throw new AppHttpError(404, { code: 'NOT_FOUND', message: `Stripe has no ${what} with this id on this account.`, action: 'Check the payment in the Stripe Dashboard.', retryable: false });
    }
    throw new AppHttpError(error.retryable ? 503 : 502, {
      code: error.retryable ? 'STRIPE_UNAVAILABLE' : 'STRIPE_REFUSED',
      message: `Sage Sync could not read this ${what} from Stripe: ${error.message}`,
      action: error.retryable ? 'Try again in a minute.' : 'Ask your Sage Sync admin to check the Stripe connection in the portal.',
      retryable: error.retryable,
    });
  }
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

  /**
   * Verifies the signature, finds the signed account's integration (null when it is not linked),
   * then runs the handler. Every refusal answers the contract's error body.
   */
  function signedRoute<F extends string>(
    path: string,
    fields: readonly F[],
    handler: (signed: SignedAppRequest<F>, integration: Integration | null, request: FastifyRequest) => Promise<unknown>,
  ) {
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
      return reply.code(200).send(await handler(signed, integration, request));
    });
  }

  /** A route about the tenant's data: an account that is not linked yet is answered 409. */
  function route<F extends string>(path: string, fields: readonly F[], handler: (signed: SignedAppRequest<F>, context: ViewContext, request: FastifyRequest) => Promise<unknown>) {
    signedRoute(path, fields, async (signed, integration, request) => {
      if (!integration) {
        throw new AppHttpError(409, { code: 'ACCOUNT_NOT_LINKED', message: 'This Stripe account is not linked to Sage Sync.', action: 'Open the app settings to link it.' });
      }
      return handler(signed, { db: options.db.prisma, integration, portalOrigin: options.portalOrigin }, request);
    });
  }

  async function readerFor(context: ViewContext): Promise<StripeReader | null> {
    if (!options.stripeFor) return null;
    return askStripe('payment', () => options.stripeFor!(context.integration));
  }

  /** The charge of a PaymentIntent: from the events received for it, else Stripe's `latest_charge`. */
  async function chargeIdOfPaymentIntent(context: ViewContext, paymentIntentId: string): Promise<string> {
    const fromEvents = await resolvePaymentIntent(context, paymentIntentId);
    if (fromEvents) return fromEvents;
    const reader = await readerFor(context);
    if (!reader) throw NOT_FOUND_PAYMENT('a charge of this PaymentIntent');
    const charge = await askStripe('PaymentIntent', () => reader.resolvePaymentIntentCharge(paymentIntentId));
    if (!charge) {
      throw new AppHttpError(404, {
        code: 'NOT_FOUND',
        message: 'This payment has no charge yet, so there is nothing to post to Sage.',
        action: 'Check again once the customer has paid.',
        retryable: true,
      });
    }
    return charge.id;
  }

  /** The charge as Stripe has it now, read with the signed account's own access (so only its charges). */
  async function stripeCharge(context: ViewContext, chargeId: string, what: string): Promise<Stripe.Charge> {
    const reader = await readerFor(context);
    if (!reader) throw NOT_FOUND_PAYMENT(what);
    return askStripe('payment', () => reader.retrieveCharge(chargeId));
  }

  route('charge-status', ['object_id'], async ({ fields }, context) => {
    const objectId = fields.object_id;
    let chargeId: string;
    if (objectId.startsWith('pi_')) chargeId = await chargeIdOfPaymentIntent(context, objectId);
    else if (isChargeId(objectId)) chargeId = objectId;
    else throw UNSUPPORTED_OBJECT;
    const record = await findChargeRecord(context, chargeId);
    if (record) return chargeStatus(context, record);
    return notSyncedChargeStatus(context, await stripeCharge(context, chargeId, 'this payment'));
  });

  route('resync', ['charge_id'], async ({ fields, userId }, context, request) => {
    // Who may resync is the portal's rule for the portal user this Dashboard user linked to.
    const access = await stripeUserAccess(context.db, context.integration, userId);
    const organization = await context.db.organization.findUniqueOrThrow({ where: { id: context.integration.orgId }, select: { name: true } });
    const refusal = resyncRefusal(access, organization.name);
    if (refusal) {
      request.log.info({ integrationId: context.integration.id, userId, code: refusal.code }, 'stripe app resync refused');
      throw new AppHttpError(403, { ...refusal, retryable: false });
    }
    if (!isChargeId(fields.charge_id)) throw UNSUPPORTED_OBJECT;

    let record = await findChargeRecord(context, fields.charge_id);
    if (!record) {
      // Never seen: Stripe must know it on this account before a job is queued for it.
      const charge = await stripeCharge(context, fields.charge_id, 'this payment');
      record = await ensureSyncRecord(context.db, { orgId: context.integration.orgId, integrationId: context.integration.id, objectType: 'charge', objectId: charge.id });
    }
    try {
      await requestResync(context.db, options.boss, record, { kind: 'stripe_app', id: userId, requestId: request.id });
    } catch (error) {
      if (!(error instanceof ResyncRefusedError)) throw error;
      return { status: 'failed', message: error.message, action: record.status === 'held' ? 'Approve or reject it in the review queue.' : 'Open the record in Sage Sync.' };
    }
    const portalUserId = access.linked ? access.userId : null;
    request.log.info({ integrationId: context.integration.id, chargeId: record.sourceObjectId, userId, portalUserId }, 'resync requested from the stripe app');
    return { status: 'queued', message: 'Resync queued: Sage Sync will bring this payment into Sage again in a moment.' };
  });

  route('payouts', [], async (_signed, context) => recentPayouts(context));

  route('health', [], async (_signed, context) => integrationHealth(context));

  // Answered for linked and unlinked accounts alike: the settings page is where linking starts.
  signedRoute('settings', [], async ({ userId }, integration) => appSettings(options.db.prisma, integration, userId, options.portalOrigin));

  // A link for the signed account and user: it links the account, or (once it is linked) this user.
  signedRoute('link', [], async ({ userId, accountId }, integration, request) => {
    const link = await createLinkToken(options.db.prisma, { stripeAccountId: accountId, stripeUserId: userId, portalOrigin: options.portalOrigin });
    request.log.info({ stripeAccountId: accountId, userId, linked: integration !== null }, 'stripe app link created');
    return link;
  });
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
