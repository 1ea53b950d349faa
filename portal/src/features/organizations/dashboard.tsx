'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { BrandMark } from '@/components/brand-mark';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { IntegrationsTable } from '@/features/integrations/integrations-table';
import { useTRPC } from '@/trpc/react';
import { ApiErrorAlert } from './api-error-alert';
import { OrganizationSelect } from './organization-select';

function roleLabel(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

function SignOutButton() {
  const [signingOut, setSigningOut] = useState(false);
  return (
    <Button
      variant="secondary"
      disabled={signingOut}
      onClick={() => {
        setSigningOut(true);
        void signOut({ callbackUrl: '/signin' });
      }}
    >
      {signingOut ? 'Signing out…' : 'Sign out'}
    </Button>
  );
}

export function Dashboard({ sessionUser }: { sessionUser: { name: string | null; email: string | null } }) {
  const trpc = useTRPC();
  const viewer = useQuery(trpc.viewer.get.queryOptions());
  const [selectedOrgId, setSelectedOrgId] = useState<string | null>(null);

  const memberships = viewer.data?.memberships ?? [];
  const selected = memberships.find((m) => m.orgId === selectedOrgId) ?? memberships[0];
  const displayName = viewer.data?.user.name ?? sessionUser.name ?? sessionUser.email ?? '';
  const email = viewer.data?.user.email ?? sessionUser.email;

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-6 py-3">
          <BrandMark />
          <div className="flex items-center gap-4">
            <nav aria-label="Portal" className="text-sm">
              <Link href="/review" className="font-medium text-slate-700 hover:text-brand hover:underline">
                Review queue
              </Link>
            </nav>
            <div className="text-right text-sm" aria-label="Signed in as">
              <p className="font-medium">{displayName}</p>
              {email && email !== displayName ? <p className="text-xs text-slate-500">{email}</p> : null}
            </div>
            <SignOutButton />
          </div>
        </div>
      </header>

      <main className="mx-auto max-w-7xl space-y-6 px-6 py-8">
        {viewer.isPending ? (
          <p role="status" className="text-sm text-slate-600">
            Loading your organizations…
          </p>
        ) : viewer.isError ? (
          <ApiErrorAlert error={viewer.error} what="Your organizations could not be loaded." />
        ) : !selected ? (
          <Card className="p-6">
            <h1 className="text-lg font-semibold">No organization yet</h1>
            <p className="mt-1 text-sm text-slate-600">
              You are not a member of any organization. Ask an owner of your company&apos;s organization to invite
              you with this e-mail address.
            </p>
          </Card>
        ) : (
          <>
            <section aria-labelledby="organizations-heading" className="space-y-3">
              <h1 id="organizations-heading" className="text-xl font-semibold">
                Your organizations
              </h1>
              <ul className="flex flex-wrap gap-2">
                {memberships.map((m) => (
                  <li key={m.orgId}>
                    <Badge
                      className={
                        m.orgId === selected.orgId
                          ? 'border-brand bg-teal-50 text-teal-900'
                          : 'border-slate-300 bg-white text-slate-700'
                      }
                    >
                      {m.orgName} · {roleLabel(m.role)}
                    </Badge>
                  </li>
                ))}
              </ul>
              <OrganizationSelect id="organization" memberships={memberships} value={selected.orgId} onChange={setSelectedOrgId} />
            </section>

            <Card aria-labelledby="integrations-heading">
              <div className="border-b border-slate-200 px-4 py-3">
                <h2 id="integrations-heading" className="text-base font-semibold">
                  Integrations of {selected.orgName}
                </h2>
                <p className="text-sm text-slate-600">
                  Each integration posts one Stripe account into one Sage company.
                </p>
              </div>
              <IntegrationsTable key={selected.orgId} membership={selected} />
            </Card>
          </>
        )}
      </main>
    </div>
  );
}
