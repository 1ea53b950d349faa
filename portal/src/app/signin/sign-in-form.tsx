'use client';

import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';

interface SignInProblem {
  title: string;
  action: string;
  /** Whether what the user typed is the problem (marks the fields invalid). */
  credentialsRejected: boolean;
}

/** next-auth reports `CredentialsSignin` when authorize() returned null: a wrong pair. */
function describeSignInError(code: string): SignInProblem {
  if (code === 'CredentialsSignin') {
    return {
      title: 'E-mail or password is wrong.',
      action: 'Check both and try again. If you have forgotten your password, ask an owner of your organization.',
      credentialsRejected: true,
    };
  }
  if (code === 'SignInThrottled') {
    return {
      title: 'Too many sign-in attempts.',
      action: 'Sign-in for this e-mail address is paused for a few minutes. Wait, then try again; if you have forgotten your password, ask an owner of your organization.',
      credentialsRejected: false,
    };
  }
  return {
    title: 'Sign-in is not available right now.',
    action: 'The server could not check your password. Try again in a minute; if it keeps failing, tell your administrator.',
    credentialsRejected: false,
  };
}

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<SignInProblem | null>(
    initialError ? describeSignInError(initialError) : null,
  );

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(null);
    try {
      const result = await signIn('credentials', { email, password, redirect: false });
      if (!result || result.error || !result.ok) {
        setProblem(describeSignInError(result?.error ?? 'Unavailable'));
        setSubmitting(false);
        return;
      }
      // Keep the button disabled until the next page has rendered with the new session.
      router.replace(callbackUrl);
      router.refresh();
    } catch {
      setProblem(describeSignInError('Unavailable'));
      setSubmitting(false);
    }
  }

  return (
    <Card className="p-6">
      <form onSubmit={onSubmit} className="space-y-4" aria-describedby={problem ? 'sign-in-problem' : undefined}>
        {problem ? (
          <Alert id="sign-in-problem" tone="error" title={problem.title}>
            {problem.action}
          </Alert>
        ) : null}
        <div className="space-y-1.5">
          <Label htmlFor="email">E-mail</Label>
          <Input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={problem?.credentialsRejected ? true : undefined}
          />
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={problem?.credentialsRejected ? true : undefined}
          />
        </div>
        <Button type="submit" className="w-full" disabled={submitting} aria-busy={submitting}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </Card>
  );
}
