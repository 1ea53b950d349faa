import { fetchStripeSignature } from '@stripe/ui-extension-sdk/utils';
import type { z } from 'zod';
import {
  ZChargeStatusResponseSchema,
  ZBackendErrorBodySchema,
  ZHealthResponseSchema,
  ZLinkResponseSchema,
  ZPayoutsResponseSchema,
  ZResyncResponseSchema,
  ZSettingsResponseSchema,
  type ChargeStatus,
  type HealthResult,
  type PayoutsResult,
  type ResyncResult,
  type SettingsResult,
  type SignInLink,
} from './contract';
import {
  BackendError,
  backendErrorForStatus,
  invalidResponseError,
  networkError,
  signatureUnavailableError,
} from './backend-error';
import { BACKEND_ROUTE_PREFIX } from '../config/backend-url';

/** The Dashboard user and account a request is made for; both are part of what Stripe signs. */
export type BackendCaller = { userId: string; accountId: string };

/**
 * Fields a route signs besides `user_id` and `account_id`. Values are strings so that the
 * JSON Stripe signs and the JSON the backend rebuilds cannot differ in number formatting.
 */
export type SignedFields = Record<string, string>;

export const BACKEND_ROUTES = {
  chargeStatus: 'charge-status',
  resync: 'resync',
  payouts: 'payouts',
  health: 'health',
  settings: 'settings',
  link: 'link',
} as const;

export type BackendClient = {
  /** `objectId` is the payment on screen: a `pi_…` or `ch_…` id; the backend resolves the charge. */
  chargeStatus(objectId: string): Promise<ChargeStatus>;
  resync(chargeId: string): Promise<ResyncResult>;
  payouts(): Promise<PayoutsResult>;
  health(): Promise<HealthResult>;
  settings(): Promise<SettingsResult>;
  link(): Promise<SignInLink>;
};

/**
 * The body of a signed request, and exactly the JSON Stripe signed: the route's own fields in
 * order, then `user_id`, then `account_id` (the order Stripe uses for `fetchStripeSignature`'s
 * additional payload). The backend verifies `JSON.stringify` of the same object rebuilt from
 * the body's fields in this order.
 */
export function signedBody(fields: SignedFields, caller: BackendCaller): Record<string, string> {
  return { ...fields, user_id: caller.userId, account_id: caller.accountId };
}

export function createBackendClient(baseUrl: string, caller: BackendCaller): BackendClient {
  const root = `${baseUrl.replace(/\/+$/, '')}${BACKEND_ROUTE_PREFIX}`;

  async function post<Schema extends z.ZodType>(
    route: string,
    fields: SignedFields,
    schema: Schema,
  ): Promise<z.infer<Schema>> {
    if (!caller.userId || !caller.accountId) {
      throw signatureUnavailableError('userContext has no user id or account id');
    }
    let signature: string;
    try {
      signature = await fetchStripeSignature(fields);
    } catch (error) {
      throw signatureUnavailableError(error instanceof Error ? error.message : String(error));
    }

    let response: Response;
    try {
      response = await fetch(`${root}${route}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
        body: JSON.stringify(signedBody(fields, caller)),
      });
    } catch (error) {
      throw networkError(`POST ${route}: ${error instanceof Error ? error.message : String(error)}`);
    }

    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }

    if (!response.ok) {
      const fallback = backendErrorForStatus(response.status, `POST ${route} → ${response.status}: ${text.slice(0, 500)}`);
      const parsedError = ZBackendErrorBodySchema.safeParse(body);
      if (!parsedError.success) throw fallback;
      const { code, message, action, retryable } = parsedError.data.error;
      throw new BackendError(
        code,
        message,
        action ?? fallback.action,
        retryable ?? fallback.retryable,
        response.status,
        fallback.detail,
      );
    }

    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw invalidResponseError(response.status, `POST ${route}: ${parsed.error.message}`);
    }
    return parsed.data;
  }

  return {
    chargeStatus: (objectId) => post(BACKEND_ROUTES.chargeStatus, { object_id: objectId }, ZChargeStatusResponseSchema),
    resync: (chargeId) => post(BACKEND_ROUTES.resync, { charge_id: chargeId }, ZResyncResponseSchema),
    payouts: () => post(BACKEND_ROUTES.payouts, {}, ZPayoutsResponseSchema),
    health: () => post(BACKEND_ROUTES.health, {}, ZHealthResponseSchema),
    settings: () => post(BACKEND_ROUTES.settings, {}, ZSettingsResponseSchema),
    link: () => post(BACKEND_ROUTES.link, {}, ZLinkResponseSchema),
  };
}
