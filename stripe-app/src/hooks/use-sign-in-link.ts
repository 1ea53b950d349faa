import { useCallback, useState } from 'react';
import { toBackendError, type BackendError } from '../api/backend-error';
import type { SignInLink } from '../api/contract';
import type { BackendClient } from '../api/create-backend-client';

export type SignInLinkState =
  | { status: 'idle' }
  | { status: 'creating' }
  | { status: 'ready'; link: SignInLink }
  /** The link was opened; it works once, so a new one is needed to try again. */
  | { status: 'used' }
  | { status: 'error'; error: BackendError };

/**
 * The portal sign-in link that links this Stripe account. It is signed, single-use and expires,
 * so it is made only when the user asks for it, and forgotten once opened.
 */
export function useSignInLink(client: BackendClient) {
  const [state, setState] = useState<SignInLinkState>({ status: 'idle' });

  const create = useCallback(async () => {
    setState({ status: 'creating' });
    try {
      setState({ status: 'ready', link: await client.link() });
    } catch (error) {
      setState({ status: 'error', error: toBackendError(error) });
    }
  }, [client]);

  const markUsed = useCallback(() => setState({ status: 'used' }), []);
  return { state, create, markUsed };
}
