import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { PageFrame } from '@/features/records/page-frame';
import { RecordDetails } from '@/features/records/record-details';
import { recordPath } from '@/features/records/record-labels';
import { authOptions } from '@/server/auth-options';

export const metadata: Metadata = { title: 'Sync record' };

/**
 * Where the Stripe App's "open in Sage Sync" links land: one charge's, refund's, dispute's or
 * payout's sync record. A signed-out visitor signs in first and comes straight back here.
 */
export default async function RecordPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const preferredOrgId = typeof query.org === 'string' && query.org !== '' ? query.org : null;
  const session = await getServerSession(authOptions);
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent(recordPath(id, preferredOrgId ?? undefined))}`);
  return (
    <PageFrame signedInAs={session.user?.email ?? session.user?.name ?? null}>
      <RecordDetails recordId={id} preferredOrgId={preferredOrgId} />
    </PageFrame>
  );
}
