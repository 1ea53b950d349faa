import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvValidationError, loadEnv, REPO_ROOT } from '../src/config/env.ts';

const SECRET = 'a-long-enough-nextauth-secret';
const KEY = Buffer.alloc(32, 7).toString('base64');

function problemsOf(source: NodeJS.ProcessEnv): EnvValidationError['problems'] {
  try {
    loadEnv(source);
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the environment to be refused');
}

describe('environment', () => {
  it('gives every variable a local default except NEXTAUTH_SECRET', () => {
    const env = loadEnv({ NEXTAUTH_SECRET: SECRET });
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      API_HOST: '127.0.0.1',
      API_PORT: 4000,
      DATA_DIR: path.join(REPO_ROOT, '.data'),
      PORTAL_URL: 'http://localhost:3000',
      PORTAL_ORIGIN: 'http://localhost:3000',
      LOG_LEVEL: 'info',
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('runs the worker in the api process with the embedded database, and not with PostgreSQL', () => {
    expect(loadEnv({ NEXTAUTH_SECRET: SECRET }).RUN_WORKER_IN_PROCESS).toBe(true);
    expect(loadEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: 'postgresql://db.internal/sagesync' }).RUN_WORKER_IN_PROCESS).toBe(false);
    expect(
      loadEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: 'postgresql://db.internal/sagesync', RUN_WORKER_IN_PROCESS: 'true' })
        .RUN_WORKER_IN_PROCESS,
    ).toBe(true);
  });

  it('treats an empty DATABASE_URL as unset, as .env files write it', () => {
    expect(loadEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('accepts encryption keys of 32 bytes in base64 and old keys as id:base64 pairs', () => {
    const env = loadEnv({
      NEXTAUTH_SECRET: SECRET,
      APP_ENCRYPTION_KEY: KEY,
      APP_ENCRYPTION_KEY_ID: 'k2',
      APP_ENCRYPTION_OLD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    });
    expect(env.APP_ENCRYPTION_KEY_ID).toBe('k2');
  });

  it('lists every bad variable in one error instead of stopping at the first', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      API_PORT: 'eighty',
      DATABASE_URL: 'mysql://db.internal/sagesync',
      PORTAL_URL: 'not a url',
      APP_ENCRYPTION_KEY: 'c2hvcnQ=',
      APP_ENCRYPTION_OLD_KEYS: 'no-separator',
      LOG_LEVEL: 'loud',
      RUN_WORKER_IN_PROCESS: 'perhaps',
    });
    expect(problems.map((problem) => problem.variable).sort()).toEqual(
      [
        'API_PORT',
        'APP_ENCRYPTION_KEY',
        'APP_ENCRYPTION_OLD_KEYS',
        'DATABASE_URL',
        'LOG_LEVEL',
        'NEXTAUTH_SECRET',
        'NODE_ENV',
        'PORTAL_URL',
        'RUN_WORKER_IN_PROCESS',
      ].sort(),
    );
  });

  it('says in its message which variable is wrong and why', () => {
    expect(() => loadEnv({})).toThrow(/NEXTAUTH_SECRET: is required/);
  });
});
