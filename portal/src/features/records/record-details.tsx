'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { sageEditionLabel } from '@/features/integrations/integration-labels';
import { ApiErrorAlert } from '@/features/organizations/api-error-alert';
import { useTRPC } from '@/trpc/react';
import type { Membership } from '@/trpc/router-types';
import { formatAmount } from './format-amount';
import {
  attemptOutcomeLabel,
  formatTime,
  objectTypeLabel,
  recordPath,
  sageDocumentTypeLabel,
  syncStatusLabel,
  syncStatusTone,
} from './record-labels';
import { canResyncRecords } from './record-permissions';
import type { RelatedRecord, SyncRecordView } from './record-types';
import { ResyncButton } from './resync-button';
import { useRecordOrganization } from './use-record-organization';

/** While the worker has the item, look again every few seconds; otherwise the page is still. */
const FOLLOW_PENDING_MS = 2_000;

export function RecordDetails({ recordId, preferredOrgId }: { recordId: string; preferredOrgId: string | null }) {
  const located = useRecordOrganization(recordId, preferredOrgId);
  if (located.status === 'pending') {
    return (
      <p role="status" className="text-sm text-slate-600">
        Loading the record…
      </p>
    );
  }
  if (located.status === 'error') return <ApiErrorAlert error={located.error} what="The record could not be loaded." />;
  if (located.status === 'missing') {
    return (
      <Alert tone="error" title="No such record in your organizations.">
        The link may be for an organization you are not a member of. Ask an owner of that organization to invite you with this
        e-mail address, or open the record from the Stripe Dashboard again.
      </Alert>
    );
  }
  return <LoadedRecord recordId={recordId} membership={located.membership} />;
}

function LoadedRecord({ recordId, membership }: { recordId: string; membership: Membership }) {
  const trpc = useTRPC();
  const record = useQuery({
    ...trpc.records.get.queryOptions({ orgId: membership.orgId, id: recordId }),
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? FOLLOW_PENDING_MS : false),
  });
  if (record.isPending) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Loading the record…
      </p>
    );
  }
  if (record.isError) return <ApiErrorAlert error={record.error} what="The record could not be loaded." />;
  return <RecordView record={record.data} membership={membership} />;
}

function RecordView({ record, membership }: { record: SyncRecordView; membership: Membership }) {
  const objectLabel = `${objectTypeLabel(record.sourceObjectType)} ${record.sourceObjectId}`;
  const mayResync = canResyncRecords(membership.role);
  return (
    <>
      <section aria-labelledby="record-heading" className="space-y-2">
        <p className="text-sm text-slate-600">
          {membership.orgName} · {record.integration.name}
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="record-heading" className="text-xl font-semibold">
            {objectTypeLabel(record.sourceObjectType)} <span className="font-mono text-lg">{record.sourceObjectId}</span>
          </h1>
          <Badge className={syncStatusTone(record.status)} aria-label={`Status: ${syncStatusLabel(record.status)}`}>
            {syncStatusLabel(record.status)}
          </Badge>
        </div>
      </section>

      {/* A held item's message is its reason, shown with the others just below. */}
      {record.error && record.status !== 'held' ? (
        <Alert tone={record.status === 'failed' || record.status === 'dead' ? 'error' : 'info'} title={record.error.message}>
          <p>
            <span className="font-medium">What to do:</span> {record.error.action}
          </p>
        </Alert>
      ) : null}

      {record.status === 'held' ? <HeldExplanation reasons={record.anomalyReasons} /> : null}

      <Card aria-labelledby="summary-heading" className="p-4">
        <h2 id="summary-heading" className="sr-only">
          Summary
        </h2>
        <dl className="grid gap-x-8 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-3">
          <Field label="Amount">{record.amount ? formatAmount(record.amount) : 'Not known yet'}</Field>
          <Field label="Sage document">
            {record.sageDocument ? (
              <>
                {record.sageDocument.type ? sageDocumentTypeLabel(record.sageDocument.type) : 'Document'}{' '}
                <span className="font-mono">{record.sageDocument.number ?? record.sageDocument.id}</span>
                {record.sageDocument.id && record.sageDocument.number ? (
                  <span className="block text-xs text-slate-500">Sage id {record.sageDocument.id}</span>
                ) : null}
              </>
            ) : (
              'Not in Sage yet'
            )}
          </Field>
          <Field label="Integration">
            {record.integration.name}
            <span className="block text-xs text-slate-500">
              {sageEditionLabel(record.integration.sageEdition)} · <span className="font-mono">{record.integration.sourceAccountId}</span>
            </span>
          </Field>
          <Field label="First seen">{formatTime(record.createdAt)}</Field>
          <Field label="Last change">{formatTime(record.updatedAt)}</Field>
          <Field label="Posted to Sage">{record.syncedAt ? formatTime(record.syncedAt) : '—'}</Field>
          {record.nextAttemptAt ? <Field label="Next try">{formatTime(record.nextAttemptAt)}</Field> : null}
        </dl>
        <div className="mt-4 border-t border-slate-200 pt-4">
          {record.status === 'held' ? (
            <p className="text-sm text-slate-600">Held items are not resynced: a reviewer approves or rejects them.</p>
          ) : mayResync ? (
            <ResyncButton orgId={membership.orgId} recordId={record.id} objectLabel={objectLabel} />
          ) : (
            <p className="text-sm text-slate-600">Only owners and admins of {membership.orgName} can resync an item.</p>
          )}
        </div>
      </Card>

      <RelatedRecords record={record} orgId={membership.orgId} />
      <Attempts record={record} />
    </>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-0.5">{children}</dd>
    </div>
  );
}

function HeldExplanation({ reasons }: { reasons: string[] }) {
  return (
    <Card aria-labelledby="held-heading" className="space-y-2 p-4">
      <h2 id="held-heading" className="text-base font-semibold">
        Why it is held
      </h2>
      {reasons.length > 0 ? (
        <ul className="list-disc space-y-1 pl-5 text-sm">
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No reason was recorded with the hold.</p>
      )}
      <p className="text-sm text-slate-600">
        A reviewer&apos;s approve or reject arrives with the review queue. Until then the item stays held and nothing is posted to
        Sage for it.
      </p>
    </Card>
  );
}

function RelatedRecords({ record, orgId }: { record: SyncRecordView; orgId: string }) {
  if (!record.parent && record.children.length === 0) return null;
  return (
    <Card aria-labelledby="related-heading">
      <div className="border-b border-slate-200 px-4 py-3">
        <h2 id="related-heading" className="text-base font-semibold">
          Related items
        </h2>
      </div>
      <Table aria-label="Related items">
        <TableHeader>
          <TableRow>
            <TableHead>Relation</TableHead>
            <TableHead>Item</TableHead>
            <TableHead>Amount</TableHead>
            <TableHead>Status</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {record.parent ? <RelatedRow relation="Belongs to" related={record.parent} orgId={orgId} /> : null}
          {record.children.map((child) => (
            <RelatedRow key={child.id} relation={objectTypeLabel(child.sourceObjectType)} related={child} orgId={orgId} />
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

function RelatedRow({ relation, related, orgId }: { relation: string; related: RelatedRecord; orgId: string }) {
  return (
    <TableRow>
      <TableCell>{relation}</TableCell>
      <TableCell>
        <Link href={recordPath(related.id, orgId)} className="text-brand hover:underline">
          {objectTypeLabel(related.sourceObjectType)} <span className="font-mono text-xs">{related.sourceObjectId}</span>
        </Link>
      </TableCell>
      <TableCell>{related.amount ? formatAmount(related.amount) : '—'}</TableCell>
      <TableCell>
        <Badge className={syncStatusTone(related.status)}>{syncStatusLabel(related.status)}</Badge>
      </TableCell>
    </TableRow>
  );
}

function Attempts({ record }: { record: SyncRecordView }) {
  return (
    <Card aria-labelledby="attempts-heading">
      <div className="border-b border-slate-200 px-4 py-3">
        <h2 id="attempts-heading" className="text-base font-semibold">
          Attempts
        </h2>
        <p className="text-sm text-slate-600">
          {record.attemptCount > record.attempts.length
            ? `The newest ${record.attempts.length} of ${record.attemptCount} attempts, newest first.`
            : 'Each time Sage Sync tried to post this item, newest first.'}
        </p>
      </div>
      {record.attempts.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600">No attempt yet: the item is waiting for its turn.</p>
      ) : (
        <Table aria-label="Attempts">
          <TableHeader>
            <TableRow>
              <TableHead>#</TableHead>
              <TableHead>Outcome</TableHead>
              <TableHead>Started</TableHead>
              <TableHead>Took</TableHead>
              <TableHead>What happened</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {record.attempts.map((attempt) => (
              <TableRow key={attempt.number}>
                <TableCell>{attempt.number}</TableCell>
                <TableCell>{attemptOutcomeLabel(attempt.outcome)}</TableCell>
                <TableCell>{formatTime(attempt.startedAt)}</TableCell>
                <TableCell>{attempt.durationMs === null ? '—' : `${attempt.durationMs} ms`}</TableCell>
                <TableCell>
                  {/* The cell does not wrap (TableCell); a sentence must. */}
                  <div className="min-w-64 whitespace-normal">
                    {attempt.error ? (
                      <>
                        {attempt.error.message}
                        <span className="block text-xs text-slate-500">{attempt.error.action}</span>
                      </>
                    ) : (
                      '—'
                    )}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}
