import { describe, expect, it } from 'vitest';
import { DEMO_STRIPE_APP_SECRET, EnvValidationError, loadEnv } from '../../src/config/env.ts';

const base = { NEXTAUTH_SECRET: 'test-only-nextauth-secret-0123456789' };

describe('STRIPE_APP_SECRET', () => {
  it('defaults to the demo secret with the embedded database only', () => {
    expect(loadEnv(base).STRIPE_APP_SECRET).toBe(DEMO_STRIPE_APP_SECRET);
    expect(DEMO_STRIPE_APP_SECRET).toBe('absec_demo_local');
    expect(loadEnv({ ...base, DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app' }).STRIPE_APP_SECRET).toBeUndefined();
  });

  it('takes a configured absec_ secret and refuses anything else', () => {
    expect(loadEnv({ ...base, STRIPE_APP_SECRET: 'absec_live_123', DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app' }).STRIPE_APP_SECRET).toBe('absec_live_123');
    expect(() => loadEnv({ ...base, STRIPE_APP_SECRET: 'whsec_wrong_kind' })).toThrow(EnvValidationError);
  });
});
