'use client';

import { useMutation, useQuery, type UseMutationResult } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { sageEditionLabel } from '@/features/integrations/integration-labels';
import { describeApiError } from '@/lib/describe-api-error';
import { useTRPC, useTRPCClient } from '@/trpc/react';
import type { RouterInputs, RouterOutputs } from '@/trpc/router-types';

type Preview = RouterOutputs['stripeAppLink']['preview'];
type Confirmed = RouterOutputs['stripeAppLink']['confirm'];
type ConfirmInput = RouterInputs['stripeAppLink']['confirm'];
type NewIntegration = NonNullable<ConfirmInput['integration']>;
type ConfirmMutation = UseMutationResult<Confirmed, unknown, ConfirmInput>;

const SAGE_EDITIONS: NewIntegration['sageEdition'][] = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'];

/** The api's own words when it refused (they say what to do); the generic description otherwise. */
function refusalMessage(error: unknown): string {
  const perField = Object.values(fieldErrors(error)).flat();
  if (perField.length > 0) return perField.join(' ');
  if (error instanceof TRPCClientError && error.data && 'code' in error.data && error.data.code !== 'INTERNAL_SERVER_ERROR') {
    return error.message;
  }
  const described = describeApiError(error);
  return `${described.title} ${described.action}`;
}

function fieldErrors(error: unknown): Record<string, string[]> {
  return describeApiError(error).fieldErrors;
}

export function LinkStripeAccount({ token }: { token: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // `preview` only reads, but it is sent as a mutation so the token travels in the body, never in
  // a URL the api would log. Kept in the query cache like any read; a refusal is final (no retry).
  const preview = useQuery({
    queryKey: ['stripeAppLink.preview', token],
    queryFn: () => client.stripeAppLink.preview.mutate({ token }),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
  });
  const confirm = useMutation(trpc.stripeAppLink.confirm.mutationOptions());

  if (token === '') {
    return (
      <Alert tone="error" title="This link is incomplete.">
        Open the Sage Sync app settings in the Stripe Dashboard and get a new link.
      </Alert>
    );
  }
  if (confirm.isSuccess) return <LinkConfirmed result={confirm.data} />;
  if (preview.isPending) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Checking the link…
      </p>
    );
  }
  if (preview.isError) {
    return (
      <Alert tone="error" title="This link cannot be used.">
        {refusalMessage(preview.error)}
      </Alert>
    );
  }
  return <LinkDecision token={token} preview={preview.data} confirm={confirm} />;
}

function LinkDecision({
  token,
  preview,
  confirm,
}: {
  token: string;
  preview: Preview;
  confirm: ConfirmMutation;
}) {
  const account = (
    <p className="text-sm">
      Stripe account <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm">{preview.stripeAccountId}</code>
    </p>
  );

  if (preview.linkedElsewhere) {
    return (
      <Card className="space-y-4 p-6">
        {account}
        <Alert tone="error" title="This Stripe account is linked to another Sage Sync organization.">
          It cannot be linked to yours. An admin of the organization it is linked to can tell you more.
        </Alert>
      </Card>
    );
  }

  if (preview.linkedTo) {
    const home = preview.linkedTo;
    return (
      <Card className="space-y-4 p-6">
        {account}
        <p className="text-sm text-slate-700">
          This account already posts into <strong>{home.orgName}</strong> ({home.integrationName}). Confirming links your Stripe
          Dashboard user to your Sage Sync sign-in, so the Stripe App acts as you: Resync works if your role in {home.orgName} allows it.
        </p>
        <ConfirmProblem error={confirm.error} />
        <Button
          disabled={confirm.isPending}
          aria-busy={confirm.isPending}
          onClick={() => confirm.mutate({ orgId: home.orgId, token })}
        >
          {confirm.isPending ? 'Linking…' : 'Link my Stripe user'}
        </Button>
      </Card>
    );
  }

  return <NewAccountForm token={token} preview={preview} confirm={confirm} account={account} />;
}

function NewAccountForm({
  token,
  preview,
  confirm,
  account,
}: {
  token: string;
  preview: Preview;
  confirm: ConfirmMutation;
  account: ReactNode;
}) {
  const organizations = preview.organizations.filter((organization) => organization.canLinkAccount);
  const [orgId, setOrgId] = useState(organizations[0]?.orgId ?? '');
  const [sageEdition, setSageEdition] = useState<NewIntegration['sageEdition']>('sage_pro');
  const [sageCompanyId, setSageCompanyId] = useState('');
  const [timeZone, setTimeZone] = useState('');
  const [homeCurrency, setHomeCurrency] = useState('USD');

  // The browser's zone is only known in the browser; rendering it on the server would differ.
  useEffect(() => {
    setTimeZone((current) => current || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  }, []);

  if (organizations.length === 0) {
    return (
      <Card className="space-y-4 p-6">
        {account}
        <Alert tone="error" title="You cannot link this account.">
          Linking a Stripe account needs the owner or admin role in a Sage Sync organization. Ask an owner or admin to open this link.
        </Alert>
      </Card>
    );
  }

  const errors = confirm.error ? fieldErrors(confirm.error) : {};
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.mutate({ orgId, token, integration: { sageEdition, sageCompanyId, timeZone, homeCurrency } });
  }

  return (
    <Card className="p-6">
      <form className="space-y-4" onSubmit={onSubmit}>
        {account}
        <p className="text-sm text-slate-700">
          Confirm to link it: its payments, refunds, disputes and payouts then post into the Sage company below. Connect Sage in the
          portal afterwards if it is not connected yet.
        </p>
        <div className="space-y-1.5">
          <Label htmlFor="link-organization">Organization</Label>
          <Select id="link-organization" className="w-full" value={orgId} onChange={(event) => setOrgId(event.target.value)}>
            {organizations.map((organization) => (
              <option key={organization.orgId} value={organization.orgId}>
                {organization.orgName}
              </option>
            ))}
          </Select>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="link-sage-edition">Sage edition</Label>
          <Select
            id="link-sage-edition"
            className="w-full"
            value={sageEdition}
            onChange={(event) => setSageEdition(event.target.value as NewIntegration['sageEdition'])}
          >
            {SAGE_EDITIONS.map((edition) => (
              <option key={edition} value={edition}>
                {sageEditionLabel(edition)}
              </option>
            ))}
          </Select>
        </div>
        <TextField id="link-sage-company" label="Sage company id" value={sageCompanyId} onChange={setSageCompanyId} required />
        <TextField id="link-time-zone" label="Time zone" value={timeZone} onChange={setTimeZone} required hint="Dates post in this zone, e.g. America/Chicago." />
        <TextField id="link-home-currency" label="Home currency" value={homeCurrency} onChange={setHomeCurrency} required maxLength={3} />
        {errors.integration?.length ? (
          <p className="text-sm text-red-700" role="alert">
            {errors.integration.join(' ')}
          </p>
        ) : null}
        <ConfirmProblem error={Object.keys(errors).length ? null : confirm.error} />
        <Button type="submit" disabled={confirm.isPending} aria-busy={confirm.isPending}>
          {confirm.isPending ? 'Linking…' : 'Link this Stripe account'}
        </Button>
      </form>
    </Card>
  );
}

function TextField({
  id,
  label,
  value,
  onChange,
  hint,
  required,
  maxLength,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  required?: boolean;
  maxLength?: number;
}) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        value={value}
        required={required}
        maxLength={maxLength}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function ConfirmProblem({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert tone="error" title="The Stripe account was not linked.">
      {refusalMessage(error)}
    </Alert>
  );
}

function LinkConfirmed({ result }: { result: Confirmed }) {
  return (
    <Alert tone="success" title={result.outcome === 'account_linked' ? 'Stripe account linked.' : 'Your Stripe user is linked.'}>
      <p>
        {result.outcome === 'account_linked'
          ? `Stripe account ${result.stripeAccountId} now posts into ${result.orgName} (${result.integrationName}).`
          : `Stripe account ${result.stripeAccountId} posts into ${result.orgName}; the Stripe App now acts as you there.`}
      </p>
      <p className="mt-1">Go back to the Stripe Dashboard and press “I have linked” in the Sage Sync app settings.</p>
    </Alert>
  );
}
