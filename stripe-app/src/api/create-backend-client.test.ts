import Stripe from 'stripe';
import { BackendError } from './backend-error';
import { createBackendClient } from './create-backend-client';
import { aChargeStatus } from '../../test/support/builders';
import { restoreFetch, stubBackend, type RecordedRequest } from '../../test/support/fake-backend';
import { sdkUtils } from '../../test/support/sdk-utils';

jest.mock('@stripe/ui-extension-sdk/utils', () =>
  jest.requireActual<typeof import('../../test/support/sdk-utils')>('../../test/support/sdk-utils').mockSdkUtils(),
);

const caller = { userId: 'usr_finance1', accountId: 'acct_tenant1' };
const APP_SECRET = 'absec_test_contract';
const stripe = new Stripe('sk_test_unused');

let sdk: ReturnType<typeof sdkUtils>;
beforeEach(() => {
  sdk = sdkUtils();
});
afterEach(restoreFetch);

/**
 * What the api must do to verify a request: rebuild the signed JSON from the body's fields, the
 * route's own fields first, then user_id, then account_id, and check it against the header.
 */
function verifyAsTheApiWill(request: RecordedRequest, routeFields: string[]): void {
  const rebuilt: Record<string, unknown> = {};
  for (const key of [...routeFields, 'user_id', 'account_id']) rebuilt[key] = request.body[key];
  stripe.webhooks.signature!.verifyHeader(JSON.stringify(rebuilt), request.headers['stripe-signature'] ?? '', APP_SECRET);
}

describe('the backend client', () => {
  it('sends a payload Stripe signed that the api can verify with the app secret', async () => {
    // Stands in for the Dashboard: Stripe signs the additional payload followed by user_id and account_id.
    sdk.signature.mockImplementation(async (additional) =>
      stripe.webhooks.generateTestHeaderString({
        payload: JSON.stringify({ ...(additional as object), user_id: caller.userId, account_id: caller.accountId }),
        secret: APP_SECRET,
      }),
    );
    const backend = stubBackend({
      '/stripe-app/charge-status': { body: aChargeStatus() },
      '/stripe-app/resync': { body: { status: 'queued', message: 'Queued.' } },
      '/stripe-app/health': { body: { integration: null, failures: [], heldCount: 0, reviewQueueUrl: 'https://p.test/review' } },
    });
    const client = createBackendClient('https://sync.example.com/', caller);

    await client.chargeStatus('pi_1');
    await client.resync('ch_1');
    await client.health();

    const [status, resync, health] = backend.requests;
    expect(status?.url).toBe('https://sync.example.com/stripe-app/charge-status');
    expect(() => verifyAsTheApiWill(status!, ['object_id'])).not.toThrow();
    expect(() => verifyAsTheApiWill(resync!, ['charge_id'])).not.toThrow();
    expect(() => verifyAsTheApiWill(health!, [])).not.toThrow();

    const forged = { ...resync!, body: { ...resync!.body, account_id: 'acct_someone_else' } };
    expect(() => verifyAsTheApiWill(forged, ['charge_id'])).toThrow(/No signatures found matching/);
  });

  it('posts JSON with the route fields first, then user_id and account_id', async () => {
    const backend = stubBackend({ '/stripe-app/resync': { body: { status: 'queued', message: 'Queued.' } } });
    await createBackendClient('https://sync.example.com', caller).resync('ch_1');

    const [request] = backend.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.rawBody).toBe('{"charge_id":"ch_1","user_id":"usr_finance1","account_id":"acct_tenant1"}');
    expect(sdk.signature).toHaveBeenCalledWith({ charge_id: 'ch_1' });
  });

  it('turns an error body into a typed error that says what to do', async () => {
    stubBackend({
      '/stripe-app/resync': {
        status: 409,
        body: { error: { code: 'account_not_linked', message: 'Not linked.', action: 'Link it in settings.' } },
      },
    });
    const failure = createBackendClient('https://sync.example.com', caller).resync('ch_1');

    await expect(failure).rejects.toBeInstanceOf(BackendError);
    await expect(failure).rejects.toMatchObject({
      code: 'account_not_linked',
      message: 'Not linked.',
      action: 'Link it in settings.',
      retryable: false,
      status: 409,
    });
  });

  it.each([
    [400, 'signature_rejected', false],
    [401, 'signature_rejected', false],
    [403, 'forbidden', false],
    [404, 'not_found', true],
    [409, 'account_not_linked', false],
    [429, 'rate_limited', true],
    [500, 'backend_unavailable', true],
    [502, 'backend_unavailable', true],
  ])('maps a bare %i to %s (retryable: %s)', async (status, code, retryable) => {
    stubBackend({ '/stripe-app/payouts': { status, rawBody: '<html>gateway</html>' } });
    await expect(createBackendClient('https://sync.example.com', caller).payouts()).rejects.toMatchObject({
      code,
      retryable,
      status,
    });
  });

  it('refuses a success body that does not match the contract', async () => {
    stubBackend({ '/stripe-app/payouts': { body: { payouts: [{ id: 'po_1', amountMinor: 10.5 }] } } });
    await expect(createBackendClient('https://sync.example.com', caller).payouts()).rejects.toMatchObject({
      code: 'invalid_response',
      retryable: false,
    });
  });

  it('reports an unreachable backend as a retryable network error', async () => {
    stubBackend({ '/stripe-app/settings': 'network-error' });
    await expect(createBackendClient('https://sync.example.com', caller).settings()).rejects.toMatchObject({
      code: 'network_error',
      retryable: true,
    });
  });

  it('sends nothing when the Dashboard cannot sign', async () => {
    const backend = stubBackend({});
    sdk.signature.mockRejectedValue(new Error('host unavailable'));
    await expect(createBackendClient('https://sync.example.com', caller).link()).rejects.toMatchObject({
      code: 'signature_unavailable',
    });
    expect(backend.requests).toHaveLength(0);
  });

  it('sends nothing without a user and account to sign for', async () => {
    const backend = stubBackend({});
    await expect(createBackendClient('https://sync.example.com', { userId: '', accountId: 'acct_1' }).settings()).rejects.toMatchObject({
      code: 'signature_unavailable',
    });
    expect(sdk.signature).not.toHaveBeenCalled();
    expect(backend.requests).toHaveLength(0);
  });
});
