import type { FastifyRequest } from 'fastify';
import type { EventRequestInfo } from './event-log.ts';
import type { StripeObjectStore } from './object-store.ts';

/** What every route of the fake needs, passed in rather than imported, so each fake is self-contained. */
export type RouteContext = {
  store: StripeObjectStore;
  /** The Stripe account the request acts for: its `Stripe-Account` header, or the platform account. */
  accountOf(request: FastifyRequest): string;
  requestInfo(request: FastifyRequest): EventRequestInfo;
  /** Unix seconds. */
  now(): number;
};
