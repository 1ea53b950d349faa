import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { authOptions } from '@/server/auth-options';
import { LinkStripeAccount } from './link-stripe-account';

export const metadata: Metadata = { title: 'Link a Stripe account' };

/**
 * Where the Stripe App's settings send a Dashboard user with a single-use link. A signed-out
 * visitor signs in first and comes straight back here, link and all.
 */
export default async function LinkStripePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const token = typeof params.token === 'string' ? params.token : '';
  const session = await getServerSession(authOptions);
  if (!session) {
    const back = `/link/stripe${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    redirect(`/signin?callbackUrl=${encodeURIComponent(back)}`);
  }
  return (
    <main className="flex min-h-screen items-start justify-center px-4 py-12">
      <div className="w-full max-w-xl space-y-6">
        <div>
          <p className="text-sm font-semibold tracking-wide text-brand uppercase">SageSync</p>
          <h1 className="mt-1 text-2xl font-semibold">Link a Stripe account</h1>
          <p className="mt-1 text-sm text-slate-600">
            Signed in as {session.user?.email ?? session.user?.name ?? 'you'}.
          </p>
        </div>
        <LinkStripeAccount token={token} />
      </div>
    </main>
  );
}
