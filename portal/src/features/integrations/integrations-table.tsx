'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Select } from '@/components/ui/select';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useTRPC } from '@/trpc/react';
import type { Integration, Membership, PostingMode } from '@/trpc/router-types';
import { canManageIntegrations } from '@/features/organizations/roles';
import { ApiErrorAlert } from '@/features/organizations/api-error-alert';
import {
  POSTING_MODE_OPTIONS,
  postingModeDescription,
  postingModeLabel,
  sageEditionLabel,
  statusLabel,
  statusTone,
} from './integration-labels';

type Outcome =
  | { kind: 'saved'; integrationName: string; postingMode: PostingMode }
  | { kind: 'failed'; integrationName: string; error: unknown };

export function IntegrationsTable({ membership }: { membership: Membership }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = canManageIntegrations(membership.role);
  const integrations = useQuery(trpc.integration.list.queryOptions({ orgId: membership.orgId }));
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const updatePostingMode = useMutation(
    trpc.integration.updatePostingMode.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.integration.list.queryKey() }),
    }),
  );

  function changePostingMode(integration: Integration, postingMode: PostingMode) {
    setOutcome(null);
    updatePostingMode.mutate(
      { orgId: membership.orgId, integrationId: integration.id, postingMode },
      {
        onSuccess: () => setOutcome({ kind: 'saved', integrationName: integration.name, postingMode }),
        onError: (error) => setOutcome({ kind: 'failed', integrationName: integration.name, error }),
      },
    );
  }

  if (integrations.isPending) {
    return (
      <p role="status" className="px-4 py-6 text-sm text-slate-600">
        Loading integrations…
      </p>
    );
  }
  if (integrations.isError) {
    return (
      <div className="p-4">
        <ApiErrorAlert error={integrations.error} what="The integrations could not be loaded." />
      </div>
    );
  }
  if (integrations.data.length === 0) {
    return (
      <p className="px-4 py-6 text-sm text-slate-600">
        {membership.orgName} has no integrations yet. Connect a Stripe account and a Sage company to start syncing.
      </p>
    );
  }

  const pendingIntegrationId = updatePostingMode.isPending ? updatePostingMode.variables?.integrationId : undefined;

  return (
    <div className="space-y-3">
      <div aria-live="polite" className="px-4 empty:hidden">
        {outcome?.kind === 'saved' ? (
          <Alert tone="success" title="Posting mode saved.">
            {outcome.integrationName} now posts {postingModeDescription(outcome.postingMode)}.
          </Alert>
        ) : null}
        {outcome?.kind === 'failed' ? (
          <ApiErrorAlert
            error={outcome.error}
            what={`The posting mode of ${outcome.integrationName} was not changed.`}
          />
        ) : null}
      </div>
      <Table aria-label={`Integrations of ${membership.orgName}`}>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Stripe account</TableHead>
            <TableHead>Sage edition</TableHead>
            <TableHead>Sage company</TableHead>
            <TableHead>Posting mode</TableHead>
            <TableHead>Time zone</TableHead>
            <TableHead>Currency</TableHead>
            <TableHead>Status</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {integrations.data.map((integration) => {
            const saving = pendingIntegrationId === integration.id;
            const shownMode =
              saving && updatePostingMode.variables ? updatePostingMode.variables.postingMode : integration.postingMode;
            return (
              <TableRow key={integration.id} data-integration-id={integration.id}>
                <TableCell className="min-w-36 font-medium whitespace-normal">{integration.name}</TableCell>
                <TableCell className="font-mono text-xs">{integration.sourceAccountId}</TableCell>
                <TableCell>{sageEditionLabel(integration.sageEdition)}</TableCell>
                <TableCell className="font-mono text-xs">{integration.sageCompanyId}</TableCell>
                <TableCell>
                  {canManage ? (
                    <span className="inline-flex items-center gap-2">
                      <Select
                        aria-label={`Posting mode for ${integration.name}`}
                        value={shownMode}
                        disabled={updatePostingMode.isPending}
                        onChange={(event) => changePostingMode(integration, event.target.value as PostingMode)}
                      >
                        {POSTING_MODE_OPTIONS.map((option) => (
                          <option key={option.value} value={option.value}>
                            {option.label}
                          </option>
                        ))}
                      </Select>
                      {saving ? <span className="text-xs text-slate-500">Saving…</span> : null}
                    </span>
                  ) : (
                    postingModeLabel(integration.postingMode)
                  )}
                </TableCell>
                <TableCell className="whitespace-normal">{integration.timeZone}</TableCell>
                <TableCell>{integration.homeCurrency.toUpperCase()}</TableCell>
                <TableCell>
                  <Badge className={statusTone(integration.status)}>{statusLabel(integration.status)}</Badge>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {!canManage ? (
        <p className="px-4 pb-4 text-xs text-slate-500">
          Only owners and admins of {membership.orgName} can change posting modes.
        </p>
      ) : null}
    </div>
  );
}
