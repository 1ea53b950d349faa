'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { sageEditionLabel } from '@/features/integrations/integration-labels';
import { ApiErrorAlert } from '@/features/organizations/api-error-alert';
import { OrganizationSelect } from '@/features/organizations/organization-select';
import { useTRPC } from '@/trpc/react';
import type { Membership } from '@/trpc/router-types';
import { formatAmount } from './format-amount';
import { formatTime, objectTypeLabel, recordPath } from './record-labels';

const PAGE_SIZE = 25;

export function ReviewQueue() {
  const trpc = useTRPC();
  const viewer = useQuery(trpc.viewer.get.queryOptions());
  const [selectedOrgId, setSelectedOrgId] = useState<string | null>(null);

  if (viewer.isPending) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Loading your organizations…
      </p>
    );
  }
  if (viewer.isError) return <ApiErrorAlert error={viewer.error} what="Your organizations could not be loaded." />;

  const memberships = viewer.data.memberships;
  const selected = memberships.find((m) => m.orgId === selectedOrgId) ?? memberships[0];
  return (
    <>
      <section aria-labelledby="review-heading" className="space-y-2">
        <h1 id="review-heading" className="text-xl font-semibold">
          Held for review
        </h1>
        <p className="text-sm text-slate-600">
          Items the sync held instead of posting to Sage, newest first, with why. A reviewer&apos;s approve or reject arrives with
          the review queue; until then a held item stays held and nothing is posted for it.
        </p>
        {selected ? <OrganizationSelect id="review-organization" memberships={memberships} value={selected.orgId} onChange={setSelectedOrgId} /> : null}
      </section>
      {selected ? (
        <HeldRecords key={selected.orgId} membership={selected} />
      ) : (
        <Card className="p-6">
          <p className="text-sm text-slate-600">You are not a member of any organization, so there is nothing to review.</p>
        </Card>
      )}
    </>
  );
}

function HeldRecords({ membership }: { membership: Membership }) {
  const trpc = useTRPC();
  const held = useInfiniteQuery(
    trpc.records.held.infiniteQueryOptions(
      { orgId: membership.orgId, limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );

  if (held.isPending) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Loading held items…
      </p>
    );
  }
  if (held.isError) return <ApiErrorAlert error={held.error} what="The held items could not be loaded." />;

  const items = held.data.pages.flatMap((page) => page.items);
  return (
    <Card aria-labelledby="held-items-heading">
      <div className="border-b border-slate-200 px-4 py-3">
        <h2 id="held-items-heading" className="text-base font-semibold">
          Held items of {membership.orgName}
        </h2>
      </div>
      {items.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600">Nothing is held for review: every item went on to Sage or is on its way.</p>
      ) : (
        <>
          <Table aria-label={`Held items of ${membership.orgName}`}>
            <TableHeader>
              <TableRow>
                <TableHead>Item</TableHead>
                <TableHead>Amount</TableHead>
                <TableHead>Why it is held</TableHead>
                <TableHead>Integration</TableHead>
                <TableHead>Held</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((item) => (
                <TableRow key={item.id}>
                  <TableCell>
                    <Link href={recordPath(item.id, membership.orgId)} className="text-brand hover:underline">
                      {objectTypeLabel(item.sourceObjectType)} <span className="font-mono text-xs">{item.sourceObjectId}</span>
                    </Link>
                  </TableCell>
                  <TableCell>{item.amount ? formatAmount(item.amount) : '—'}</TableCell>
                  <TableCell>
                    {/* The cell does not wrap (TableCell); the reasons are sentences and must. */}
                    <div className="min-w-72 whitespace-normal">
                      {item.reasons.length > 0 ? (
                        <ul className="list-disc space-y-0.5 pl-4">
                          {item.reasons.map((reason) => (
                            <li key={reason}>{reason}</li>
                          ))}
                        </ul>
                      ) : (
                        'No reason was recorded.'
                      )}
                    </div>
                  </TableCell>
                  <TableCell>
                    {item.integration.name}
                    <span className="block text-xs text-slate-500">{sageEditionLabel(item.integration.sageEdition)}</span>
                  </TableCell>
                  <TableCell>{formatTime(item.heldAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {held.hasNextPage ? (
            <div className="px-4 py-3">
              <Button variant="secondary" disabled={held.isFetchingNextPage} onClick={() => void held.fetchNextPage()}>
                {held.isFetchingNextPage ? 'Loading…' : 'Show more'}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}
