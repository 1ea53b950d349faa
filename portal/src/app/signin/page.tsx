import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { safeCallbackUrl } from '@/lib/safe-callback-url';
import { authOptions } from '@/server/auth-options';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const session = await getServerSession(authOptions);
  if (session) redirect(callbackUrl);

  const initialError = typeof params.error === 'string' ? params.error : undefined;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-sm font-semibold tracking-wide text-brand uppercase">SageSync</p>
          <h1 className="mt-1 text-2xl font-semibold">Sign in to the admin portal</h1>
          <p className="mt-1 text-sm text-slate-600">Stripe money into Sage, posted once and reconciled.</p>
        </div>
        <SignInForm callbackUrl={callbackUrl} initialError={initialError} />
      </div>
    </main>
  );
}
