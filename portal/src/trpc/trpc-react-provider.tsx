'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '@sagesync/api/trpc';
import { useState, type ReactNode } from 'react';
import { isUnauthorized } from '@/lib/describe-api-error';
import { TRPCProvider } from './react';

function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A missing or expired session will not fix itself by retrying.
        retry: (failureCount, error) => !isUnauthorized(error) && failureCount < 2,
      },
    },
  });
}

/**
 * Same-origin `/api/trpc`: next.config.ts proxies it to the api, so the session cookie travels
 * with every call and the browser never talks to the api's port.
 */
export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc' })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
