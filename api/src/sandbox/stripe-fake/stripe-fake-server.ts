import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { registerAdminRoutes } from './admin-routes.ts';
import { FAKE_API_VERSION } from './event-log.ts';
import { RateLimitFaults } from './fault-injection.ts';
import { decodeStripeForm, type FormParams } from './form-decoding.ts';
import { IdempotencyKeys, stableStringify } from './idempotency.ts';
import { StripeObjectStore } from './object-store.ts';
import { registerReadRoutes } from './read-routes.ts';
import { RequestLog } from './request-log.ts';
import type { RouteContext } from './route-context.ts';
import { createSeededRandom } from './seeded-random.ts';
import {
  StripeFakeError,
  apiKeyInvalid,
  apiKeyMissing,
  invalidRequest,
  rateLimited,
  apiError,
  unrecognizedRequestUrl,
} from './stripe-errors.ts';
import { registerWriteRoutes } from './write-routes.ts';

export type StripeFakeOptions = {
  /** Seeds generated ids, request ids and the share of injected 429s. */
  seed?: number;
  /** The platform account: objects loaded without an account, requests without `Stripe-Account`. */
  defaultAccountId?: string;
  /** Accept only these secret keys. By default any `sk_test_…` or `rk_test_…` key is accepted. */
  apiKeys?: readonly string[];
  /** A pino logger for request logs; none by default (tests stay quiet). */
  logger?: FastifyBaseLogger;
  /** Unix seconds, for objects the fake creates. */
  now?: () => number;
  requestLogSize?: number;
};

export type StripeFake = {
  app: FastifyInstance;
  store: StripeObjectStore;
  faults: RateLimitFaults;
  requestLog: RequestLog;
  /** Listens on 127.0.0.1 by default; port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
};

type RequestState = {
  requestId: string;
  account: string;
  idempotencyKey: string | undefined;
  idempotency: 'none' | 'executing' | 'replayed' | 'settled';
};

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

const isApiRequest = (request: FastifyRequest): boolean => pathOf(request).startsWith('/v1/');

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Bearer auth, as stripe-node sends it, or Basic with the key as the user name, as curl -u sends it. */
function apiKeyFrom(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return credentials || undefined;
  if (scheme?.toLowerCase() === 'basic') {
    const user = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0];
    return user || undefined;
  }
  return undefined;
}

function authenticate(request: FastifyRequest, acceptedKeys: readonly string[] | undefined): void {
  const key = apiKeyFrom(header(request, 'authorization'));
  if (!key) throw apiKeyMissing();
  const accepted = acceptedKeys ? acceptedKeys.includes(key) : /^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key);
  if (!accepted) throw apiKeyInvalid(key);
}

function accountFrom(request: FastifyRequest, defaultAccountId: string): string {
  const account = header(request, 'stripe-account');
  if (account === undefined || account === '') return defaultAccountId;
  if (!/^acct_[A-Za-z0-9_]+$/.test(account)) {
    throw invalidRequest(`The provided key does not have access to account '${account}' (or that account does not exist).`, { status: 403 });
  }
  return account;
}

/** Anything Fastify itself rejects (a body too large, bad JSON, an unknown content type) still answers in Stripe's shape. */
function toStripeError(error: FastifyError): StripeFakeError {
  if (error instanceof StripeFakeError) return error;
  const status = error.statusCode ?? 500;
  if (status < 500) return invalidRequest(error.message, { status });
  return new StripeFakeError({ status: 500, type: 'api_error', message: 'An unexpected error occurred in the Stripe fake.' });
}

/**
 * A local fake of the Stripe API that the real `stripe` SDK talks to unchanged
 * (`new Stripe(key, { host, port, protocol: 'http' })`). See README.md in this folder.
 */
export function buildStripeFake(options: StripeFakeOptions = {}): StripeFake {
  const seed = options.seed ?? 1;
  const store = new StripeObjectStore({ defaultAccountId: options.defaultAccountId, seed });
  const faults = new RateLimitFaults(seed);
  const idempotency = new IdempotencyKeys();
  const requestLog = new RequestLog(options.requestLogSize);
  const requestIds = createSeededRandom(`request-ids:${seed}`);
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const states = new WeakMap<FastifyRequest, RequestState>();

  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Stripe's bracket encoding (`created[gte]=…`, `expand[0]=…`) in query strings too.
    routerOptions: {
      querystringParser: (query: string) => {
        try {
          return decodeStripeForm(query);
        } catch {
          return {};
        }
      },
    },
    forceCloseConnections: true,
    // Fastify's request id is the `Request-Id` header's value, so log lines and responses match.
    genReqId: () => `req_${requestIds.token(14)}`,
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, decodeStripeForm(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const stateOf = (request: FastifyRequest): RequestState => {
    let state = states.get(request);
    if (!state) {
      state = { requestId: request.id, account: store.defaultAccountId, idempotencyKey: undefined, idempotency: 'none' };
      states.set(request, state);
    }
    return state;
  };

  const context: RouteContext = {
    store,
    accountOf: (request) => stateOf(request).account,
    requestInfo: (request) => ({ requestId: stateOf(request).requestId, idempotencyKey: stateOf(request).idempotencyKey }),
    now,
  };

  app.addHook('onRequest', async (request, reply) => {
    const state = stateOf(request);
    reply.header('request-id', state.requestId);
    if (!isApiRequest(request)) return;
    reply.header('stripe-version', header(request, 'stripe-version') ?? FAKE_API_VERSION);
    authenticate(request, options.apiKeys);
    state.account = accountFrom(request, store.defaultAccountId);
    if (faults.takeRateLimit()) throw rateLimited();
    if (faults.fails(pathOf(request))) throw apiError();
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !isApiRequest(request)) return;
    const key = header(request, 'idempotency-key');
    if (!key) return;
    const state = stateOf(request);
    state.idempotencyKey = key;
    const fingerprint = `${request.method} ${pathOf(request)}\n${stableStringify(request.body ?? {})}`;
    const decision = idempotency.begin(state.account, key, fingerprint);
    if (decision.kind === 'replay') {
      state.idempotency = 'replayed';
      reply.code(decision.response.status).headers({ ...decision.response.headers, 'idempotent-replayed': 'true' });
      return reply.send(decision.response.body);
    }
    state.idempotency = 'executing';
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = stateOf(request);
    if (state.idempotency === 'executing' && state.idempotencyKey) {
      // Stripe saves a result only once the endpoint ran; a rejected request may be retried with the same key.
      if (reply.statusCode < 400) {
        idempotency.complete(state.account, state.idempotencyKey, {
          status: reply.statusCode,
          body: String(payload),
          headers: { 'content-type': 'application/json; charset=utf-8', 'request-id': state.requestId },
        });
      } else {
        idempotency.abandon(state.account, state.idempotencyKey);
      }
      state.idempotency = 'settled';
    }
    return payload;
  });

  app.addHook('onRequestAbort', async (request) => {
    const state = stateOf(request);
    if (state.idempotency === 'executing' && state.idempotencyKey) idempotency.abandon(state.account, state.idempotencyKey);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isApiRequest(request)) return;
    const state = stateOf(request);
    requestLog.record({
      requestId: state.requestId,
      method: request.method,
      path: pathOf(request),
      query: (request.query ?? {}) as FormParams,
      account: state.account,
      idempotencyKey: header(request, 'idempotency-key') ?? null,
      status: reply.statusCode,
      replayed: state.idempotency === 'replayed',
      at: new Date().toISOString(),
    });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const stripeError = toStripeError(error);
    if (stripeError.status >= 500) request.log.error({ err: error }, 'stripe fake failed');
    return reply.code(stripeError.status).headers(stripeError.headers).send(stripeError.toBody());
  });

  app.setNotFoundHandler((request) => {
    throw unrecognizedRequestUrl(request.method, pathOf(request));
  });

  registerReadRoutes(app, context);
  registerWriteRoutes(app, context);
  registerAdminRoutes(app, { store, faults, idempotency, requestLog });

  return {
    app,
    store,
    faults,
    requestLog,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      return { port: boundPort, url: `http://${host}:${boundPort}` };
    },
    close: () => app.close(),
  };
}
