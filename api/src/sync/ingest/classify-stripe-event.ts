import { isHandledStripeEventType, syncedObjectOf, type SyncedObjectType } from './handled-events.ts';
import type { StripeEventEnvelope } from './verify-stripe-event.ts';

/**
 * Why a genuine event is answered 200 and dropped. Stripe retries anything else for three days,
 * and none of these would ever succeed on a retry.
 */
export const IGNORE_REASONS = ['unknown_account', 'unhandled_type', 'livemode_mismatch', 'object_without_id'] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

/** Who the endpoint belongs to: the platform (every connected account), or one integration. */
export type WebhookEndpoint =
  | { kind: 'platform'; livemode: boolean }
  | { kind: 'integration'; livemode: boolean; integrationId: string; orgId: string; sourceAccountId: string };

/** A verified event the endpoint should keep, with what its job will sync. */
export type AcceptedStripeEvent = {
  eventId: string;
  type: string;
  objectType: SyncedObjectType;
  objectId: string;
  livemode: boolean;
  apiVersion: string | null;
  created: number;
  payloadText: string;
  tenant:
    | { kind: 'account'; accountId: string }
    | { kind: 'integration'; integrationId: string; orgId: string };
};

export type EventClassification = { accepted: AcceptedStripeEvent } | { ignored: IgnoreReason };

/**
 * Decides what needs no database: test-mode events on a live endpoint (and the reverse), types we
 * do not sync, events naming no object, and, on the platform endpoint, events of no connected
 * account. Whether a connected account is one of ours is decided where the event is stored.
 */
export function classifyStripeEvent(event: StripeEventEnvelope, payloadText: string, endpoint: WebhookEndpoint): EventClassification {
  if (event.livemode !== endpoint.livemode) return { ignored: 'livemode_mismatch' };
  if (!isHandledStripeEventType(event.type)) return { ignored: 'unhandled_type' };
  const object = syncedObjectOf(event.type, event.data.object);
  if (!object) return { ignored: 'object_without_id' };

  let tenant: AcceptedStripeEvent['tenant'];
  if (endpoint.kind === 'platform') {
    // The platform's own account is not a tenant: only connected accounts are synced.
    if (!event.account) return { ignored: 'unknown_account' };
    tenant = { kind: 'account', accountId: event.account };
  } else {
    // Signed with this integration's secret, but naming another account: not this tenant's money.
    if (event.account && event.account !== endpoint.sourceAccountId) return { ignored: 'unknown_account' };
    tenant = { kind: 'integration', integrationId: endpoint.integrationId, orgId: endpoint.orgId };
  }
  return {
    accepted: {
      eventId: event.id,
      type: event.type,
      ...object,
      livemode: event.livemode,
      apiVersion: event.api_version ?? null,
      created: event.created,
      payloadText,
      tenant,
    },
  };
}
