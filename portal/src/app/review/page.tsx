import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { PageFrame } from '@/features/records/page-frame';
import { ReviewQueue } from '@/features/records/review-queue';
import { authOptions } from '@/server/auth-options';

export const metadata: Metadata = { title: 'Held for review' };

/** The items held for review (the Stripe App's health view links here). */
export default async function ReviewPage() {
  const session = await getServerSession(authOptions);
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent('/review')}`);
  return (
    <PageFrame signedInAs={session.user?.email ?? session.user?.name ?? null}>
      <ReviewQueue />
    </PageFrame>
  );
}
