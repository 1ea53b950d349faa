'use client';

import { signIn } from 'next-auth/react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { describeApiError } from '@/lib/describe-api-error';

/** One way to show a failed call everywhere: what failed, why, and what the reader can do. */
export function ApiErrorAlert({ error, what }: { error: unknown; what: string }) {
  const description = describeApiError(error);
  const fieldMessages = Object.entries(description.fieldErrors).flatMap(([field, messages]) =>
    messages.map((message) => `${field}: ${message}`),
  );
  return (
    <Alert tone="error" title={what}>
      <p>
        {description.title} {description.action}
      </p>
      {fieldMessages.length ? (
        <ul className="mt-1 list-disc pl-5">
          {fieldMessages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
      {description.signInAgain ? (
        <Button variant="secondary" className="mt-2" onClick={() => void signIn(undefined, { callbackUrl: '/' })}>
          Sign in again
        </Button>
      ) : null}
    </Alert>
  );
}
