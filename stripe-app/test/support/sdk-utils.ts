import type * as SdkUtils from '@stripe/ui-extension-sdk/utils';

/**
 * Test files replace the SDK's Dashboard calls (as Stripe's own examples do) with:
 *   jest.mock('@stripe/ui-extension-sdk/utils', () =>
 *     jest.requireActual<typeof import('../support/sdk-utils')>('../support/sdk-utils').mockSdkUtils());
 * and then read the mocks through `sdkUtils()`. This module must not import the SDK utils at
 * load time: it is loaded from inside the mock factory, before the mock exists.
 */
export function mockSdkUtils() {
  return {
    ...jest.requireActual<typeof SdkUtils>('@stripe/ui-extension-sdk/utils'),
    fetchStripeSignature: jest.fn(),
    showToast: jest.fn(),
  };
}

export const TEST_SIGNATURE = 't=1700000000,v1=feedface';

/** The mocked SDK utils, reset to a Dashboard that signs and shows toasts. */
export function sdkUtils() {
  const utils = jest.requireMock<typeof SdkUtils>('@stripe/ui-extension-sdk/utils');
  const signature = jest.mocked(utils.fetchStripeSignature);
  const toast = jest.mocked(utils.showToast);
  signature.mockReset().mockResolvedValue(TEST_SIGNATURE);
  toast.mockReset().mockResolvedValue({ update: jest.fn(), dismiss: jest.fn() });
  return { signature, toast };
}
