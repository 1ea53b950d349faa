'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ApiErrorAlert } from '@/features/organizations/api-error-alert';
import { useTRPC } from '@/trpc/react';

/** Sends one item back through the sync (sync.resync); the record page then follows it to its outcome. */
export function ResyncButton({ orgId, recordId, objectLabel }: { orgId: string; recordId: string; objectLabel: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const resync = useMutation(
    trpc.sync.resync.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.records.get.queryKey({ orgId, id: recordId }) }),
    }),
  );
  return (
    <div className="space-y-3">
      <Button
        disabled={resync.isPending}
        aria-busy={resync.isPending}
        onClick={() => resync.mutate({ orgId, syncRecordId: recordId })}
      >
        {resync.isPending ? 'Resyncing…' : 'Resync'}
      </Button>
      <div aria-live="polite" className="empty:hidden">
        {resync.isSuccess ? (
          <Alert tone="success" title="Resync queued.">
            Sage Sync fetches {objectLabel} from Stripe again and posts only what Sage does not have yet.
          </Alert>
        ) : null}
        {resync.isError ? <ApiErrorAlert error={resync.error} what={`${objectLabel} was not resynced.`} /> : null}
      </div>
    </div>
  );
}
