import { getMockContextProps } from '@stripe/ui-extension-sdk/testing';
import type { ExtensionContextValue, RoleDefinition } from '@stripe/ui-extension-sdk/context';
import type {
  ChargeStatus,
  HealthResult,
  PayoutReconciliation,
  SettingsResult,
  SyncFailure,
  SyncRecord,
} from '../../src/api/contract';

export const PORTAL = 'https://portal.sagesync.test';

export const ADMIN: RoleDefinition = { type: 'builtIn', id: 'admin', name: 'Administrator' };
export const VIEW_ONLY: RoleDefinition = { type: 'builtIn', id: 'view_only', name: 'View only' };

/** Permissions as the Dashboard reports them for a user whose role may change payments. */
export const WRITER_PERMISSIONS = ['charge_read', 'charge_write', 'payout_read', 'dispute_read'];
export const READER_PERMISSIONS = ['charge_read', 'payout_read', 'dispute_read'];

type ContextOptions = {
  object?: { id: string; object: string } | null;
  roles?: RoleDefinition[];
  permissions?: string[];
  viewportID?: string;
};

export function aDashboardContext({
  object = null,
  roles = [ADMIN],
  permissions = WRITER_PERMISSIONS,
  viewportID = 'stripe.dashboard.payment.detail',
}: ContextOptions = {}): ExtensionContextValue {
  const context = getMockContextProps({
    userContext: { id: 'usr_finance1', account: { id: 'acct_tenant1' }, locale: 'en-US', roles },
    environment: { viewportID, mode: 'test', constants: { BACKEND_URL: 'https://sync.sagesync.test' } },
    appContext: { authorizedPermissions: permissions },
  });
  return { ...context, environment: { ...context.environment, objectContext: object } };
}

export function aSyncRecord(overrides: Partial<SyncRecord> = {}): SyncRecord {
  return {
    id: 'ch_3Pk1',
    status: 'synced',
    sageDocumentType: 'cash_receipt',
    sageDocumentNumber: 'CR-001042',
    portalUrl: `${PORTAL}/records/ch_3Pk1`,
    ...overrides,
  };
}

export function aChargeStatus(overrides: Partial<ChargeStatus> = {}): ChargeStatus {
  return {
    charge: aSyncRecord(),
    refunds: [],
    dispute: null,
    attempts: [{ number: 1, outcome: 'succeeded', at: '2024-01-31T23:30:00Z' }],
    ...overrides,
  };
}

export function aPayout(overrides: Partial<PayoutReconciliation> = {}): PayoutReconciliation {
  return {
    id: 'po_1Nx',
    amountMinor: 1_234_567,
    currency: 'usd',
    arrivalDate: '2024-02-01',
    state: 'posted',
    journalNumber: 'JE-2024-0031',
    ...overrides,
  };
}

export function aFailure(overrides: Partial<SyncFailure> = {}): SyncFailure {
  return {
    objectId: 'ch_3Fail',
    kind: 'charge',
    chargeId: 'ch_3Fail',
    status: 'failed',
    amountMinor: 5_000,
    currency: 'usd',
    at: '2024-02-02T10:15:00Z',
    error: {
      message: 'Sage rejected the customer: the name is longer than 30 characters.',
      action: 'Shorten the customer name mapping in the portal, then resync.',
    },
    portalUrl: `${PORTAL}/records/ch_3Fail`,
    ...overrides,
  };
}

export function aHealth(overrides: Partial<HealthResult> = {}): HealthResult {
  return {
    integration: { state: 'healthy', sageEdition: 'sage50', lastSyncAt: '2024-02-02T10:00:00Z' },
    failures: [],
    heldCount: 0,
    reviewQueueUrl: `${PORTAL}/review`,
    ...overrides,
  };
}

export function aLinkedSettings(overrides: Partial<SettingsResult> = {}): SettingsResult {
  return {
    linked: true,
    organizationName: 'Acme Finance',
    postingMode: 'per_transaction',
    connection: { sageEdition: 'sage_pro', companyName: 'Acme Ltd', state: 'connected' },
    portalUrl: `${PORTAL}/settings`,
    ...overrides,
  };
}
