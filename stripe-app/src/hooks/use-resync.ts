import { showToast } from '@stripe/ui-extension-sdk/utils';
import { useCallback, useState } from 'react';
import { toBackendError } from '../api/backend-error';
import type { UserFacingError } from '../api/contract';
import type { BackendClient } from '../api/create-backend-client';

export type ResyncFailure = { chargeId: string; error: UserFacingError };

export type ResyncControl = {
  resync: (chargeId: string) => Promise<void>;
  isPending: (chargeId: string) => boolean;
  /** The last Resync that failed, for a banner; cleared by the next Resync or by `dismissFailure`. */
  failure: ResyncFailure | null;
  dismissFailure: () => void;
};

const REFUSED_ACTION = 'Open the record in the Sage Sync portal to see why, fix it there, then resync.';

function notify(message: string, type: 'success' | 'caution'): void {
  // A toast is a courtesy: if the Dashboard cannot show one, the banner and badges still tell.
  showToast(message, { type }).catch(() => undefined);
}

/**
 * Asks the backend to sync a charge again. While it runs the charge is pending (the button shows
 * progress); the outcome is a toast, and a failure also leaves a banner saying what to do.
 */
export function useResync(client: BackendClient, onSucceeded?: (chargeId: string) => void): ResyncControl {
  const [pending, setPending] = useState<readonly string[]>([]);
  const [failure, setFailure] = useState<ResyncFailure | null>(null);

  const resync = useCallback(
    async (chargeId: string) => {
      setPending((ids) => (ids.includes(chargeId) ? ids : [...ids, chargeId]));
      setFailure(null);
      try {
        const result = await client.resync(chargeId);
        if (result.status === 'failed') {
          setFailure({ chargeId, error: { message: result.message, action: result.action ?? REFUSED_ACTION } });
          notify(`Resync of ${chargeId} failed.`, 'caution');
        } else {
          notify(result.message, 'success');
          onSucceeded?.(chargeId);
        }
      } catch (thrown) {
        const error = toBackendError(thrown);
        setFailure({ chargeId, error: { message: error.message, action: error.action } });
        notify(`Resync of ${chargeId} failed.`, 'caution');
      } finally {
        setPending((ids) => ids.filter((id) => id !== chargeId));
      }
    },
    [client, onSucceeded],
  );

  const isPending = useCallback((chargeId: string) => pending.includes(chargeId), [pending]);
  const dismissFailure = useCallback(() => setFailure(null), []);
  return { resync, isPending, failure, dismissFailure };
}
