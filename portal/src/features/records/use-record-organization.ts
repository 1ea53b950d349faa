'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useTRPC, useTRPCClient } from '@/trpc/react';
import type { Membership } from '@/trpc/router-types';

function isNotFound(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: unknown } | undefined)?.code === 'NOT_FOUND';
}

/**
 * Which of the viewer's organizations a record belongs to. The Stripe App links to a record by its
 * id alone, and the api answers for one organization at a time (another's record is NOT_FOUND), so
 * each membership is asked in turn, the one the link names first. The record read on the way is
 * kept in the cache, so the page does not read it twice.
 */
export function useRecordOrganization(recordId: string, preferredOrgId: string | null) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const viewer = useQuery(trpc.viewer.get.queryOptions());
  const memberships = viewer.data?.memberships ?? [];
  const ordered = [...memberships].sort((a, b) => Number(b.orgId === preferredOrgId) - Number(a.orgId === preferredOrgId));

  const located = useQuery({
    queryKey: ['records.locate', recordId, ordered.map((m) => m.orgId)],
    enabled: viewer.isSuccess,
    staleTime: Infinity,
    queryFn: async (): Promise<Membership | null> => {
      for (const membership of ordered) {
        const input = { orgId: membership.orgId, id: recordId };
        try {
          queryClient.setQueryData(trpc.records.get.queryKey(input), await client.records.get.query(input));
          return membership;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return null;
    },
  });

  if (viewer.isError) return { status: 'error' as const, error: viewer.error };
  if (located.isError) return { status: 'error' as const, error: located.error };
  if (!located.isSuccess) return { status: 'pending' as const };
  return located.data ? { status: 'found' as const, membership: located.data } : { status: 'missing' as const };
}
