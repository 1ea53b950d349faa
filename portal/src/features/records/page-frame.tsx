import Link from 'next/link';
import { BrandMark } from '@/components/brand-mark';
import type { ReactNode } from 'react';

/** The header the record and review pages share: where you are, and the way back. */
export function PageFrame({ children, signedInAs }: { children: ReactNode; signedInAs: string | null }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-6 py-3">
          <BrandMark />
          <nav aria-label="Portal" className="flex items-center gap-4 text-sm">
            <Link href="/" className="font-medium text-slate-700 hover:text-brand hover:underline">
              Dashboard
            </Link>
            <Link href="/review" className="font-medium text-slate-700 hover:text-brand hover:underline">
              Review queue
            </Link>
            {signedInAs ? (
              <span className="text-xs text-slate-500" aria-label="Signed in as">
                {signedInAs}
              </span>
            ) : null}
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-7xl space-y-6 px-6 py-8">{children}</main>
    </div>
  );
}
