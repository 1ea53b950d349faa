import { describe, expect, it } from 'vitest';
import { DEMO_STRIPE_WEBHOOK_SECRET, EnvValidationError, loadEnv } from '../../../src/config/env.ts';

const BASE = { NEXTAUTH_SECRET: 'a-long-enough-nextauth-secret' };

describe('webhook configuration', () => {
  it('uses the public demo secret with the embedded database when none is set, on a test-mode endpoint', () => {
    const env = loadEnv(BASE);
    expect(env.STRIPE_WEBHOOK_SECRETS).toEqual([DEMO_STRIPE_WEBHOOK_SECRET]);
    expect(DEMO_STRIPE_WEBHOOK_SECRET).toBe('whsec_demo_local');
    expect(env.STRIPE_LIVEMODE).toBe(false);
  });

  it('has no platform secret with PostgreSQL unless one is set: the demo secret never reaches production', () => {
    expect(loadEnv({ ...BASE, DATABASE_URL: 'postgresql://db.internal/sagesync' }).STRIPE_WEBHOOK_SECRETS).toEqual([]);
  });

  it('takes two comma-separated secrets while one rotates', () => {
    const env = loadEnv({ ...BASE, STRIPE_WEBHOOK_SECRET: ' whsec_old , whsec_new ', STRIPE_LIVEMODE: 'true' });
    expect(env.STRIPE_WEBHOOK_SECRETS).toEqual(['whsec_old', 'whsec_new']);
    expect(env.STRIPE_LIVEMODE).toBe(true);
  });

  it('refuses a value that is not an endpoint secret, such as an API key pasted by mistake', () => {
    expect(() => loadEnv({ ...BASE, STRIPE_WEBHOOK_SECRET: 'sk_test_123' })).toThrow(EnvValidationError);
    expect(() => loadEnv({ ...BASE, STRIPE_WEBHOOK_SECRET: 'whsec_ok,' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadEnv({ ...BASE, STRIPE_LIVEMODE: 'sometimes' })).toThrow(/STRIPE_LIVEMODE/);
  });
});
