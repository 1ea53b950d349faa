import { useCallback } from 'react';
import type { BackendClient } from '../api/create-backend-client';
import type { ChargeStatus, HealthResult, PayoutsResult, SettingsResult } from '../api/contract';
import { useBackendQuery, type BackendQuery } from './use-backend-query';

/** `objectId = null` when the Dashboard object is not a payment: nothing is asked. */
export function useChargeStatus(client: BackendClient, objectId: string | null): BackendQuery<ChargeStatus> {
  const load = useCallback(() => client.chargeStatus(objectId as string), [client, objectId]);
  return useBackendQuery(objectId ? load : null);
}

export function usePayouts(client: BackendClient): BackendQuery<PayoutsResult> {
  return useBackendQuery(useCallback(() => client.payouts(), [client]));
}

export function useHealth(client: BackendClient): BackendQuery<HealthResult> {
  return useBackendQuery(useCallback(() => client.health(), [client]));
}

export function useSettings(client: BackendClient): BackendQuery<SettingsResult> {
  return useBackendQuery(useCallback(() => client.settings(), [client]));
}
