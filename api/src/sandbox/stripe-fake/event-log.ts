import type { StripeObject, StripeObjectStore } from './object-store.ts';

export type EventRequestInfo = { requestId: string; idempotencyKey: string | undefined };

/** The API version the fake claims in events, the one stripe-node 23.1.0 pins. */
export const FAKE_API_VERSION = '2026-10-28.endive';

/**
 * Records the event Stripe would create for a write made through the API, so `GET /v1/events`
 * shows it (the fake does not deliver webhooks: tests post signed webhooks themselves).
 */
export function recordEvent(
  store: StripeObjectStore,
  account: string,
  event: { type: string; object: StripeObject; previousAttributes?: Record<string, unknown>; created: number; request: EventRequestInfo },
): StripeObject {
  const record: StripeObject = {
    id: store.newId(account, 'evt'),
    object: 'event',
    api_version: FAKE_API_VERSION,
    created: event.created,
    data: {
      object: structuredClone(event.object),
      ...(event.previousAttributes ? { previous_attributes: event.previousAttributes } : {}),
    },
    livemode: false,
    pending_webhooks: 0,
    request: { id: event.request.requestId, idempotency_key: event.request.idempotencyKey ?? null },
    type: event.type,
    ...(account === store.defaultAccountId ? {} : { account }),
  };
  store.put(account, record);
  return record;
}
