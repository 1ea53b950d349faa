import 'server-only';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@sagesync/api/trpc';
import { getServerEnv } from './env';

/** Server-to-server tRPC client: used where no browser session exists yet (sign-in). */
export function createApiClient() {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${getServerEnv().API_INTERNAL_URL.replace(/\/+$/, '')}/trpc` })],
  });
}
