import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { useMemo } from 'react';
import { createBackendClient, type BackendClient } from '../api/create-backend-client';
import { backendUrlFromConstants } from '../config/backend-url';

/** The backend client for the signed-in Dashboard user, rebuilt only when the user or account changes. */
export function useBackendClient(context: Pick<ExtensionContextValue, 'userContext' | 'environment'>): BackendClient {
  const baseUrl = backendUrlFromConstants(context.environment?.constants);
  const userId = context.userContext?.id ?? '';
  const accountId = context.userContext?.account?.id ?? '';
  return useMemo(() => createBackendClient(baseUrl, { userId, accountId }), [baseUrl, userId, accountId]);
}
