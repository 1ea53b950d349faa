import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_ATTEMPTS, signInBucketKey } from '../src/trpc/auth-router/sign-in-throttle.ts';
import { createUser } from './support/builders.ts';
import { startTestApi, trpcClient, type TestApi } from './support/test-api.ts';

describe('auth.verifyCredentials (next-auth\'s credentials check)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await createUser(api.database.prisma, { email: 'finance@acme.example', name: 'Fin Ance', password: 'correct horse battery' });
    await createUser(api.database.prisma, { email: 'oauth-only@acme.example' });
  });
  afterAll(() => api.close());

  const server = () => trpcClient(api);

  it('returns the user for a good e-mail and password pair, whatever the e-mail\'s case', async () => {
    await expect(
      server().auth.verifyCredentials.mutate({ email: ' Finance@ACME.example ', password: 'correct horse battery' }),
    ).resolves.toEqual({ id: expect.any(String), email: 'finance@acme.example', name: 'Fin Ance' });
  });

  it.each([
    ['a wrong password', { email: 'finance@acme.example', password: 'wrong' }],
    ['an unknown e-mail', { email: 'nobody@acme.example', password: 'correct horse battery' }],
    ['a user without a password', { email: 'oauth-only@acme.example', password: 'anything' }],
  ])('refuses %s with UNAUTHORIZED and the same message', async (_case, input) => {
    const error = await server().auth.verifyCredentials.mutate(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).toMatchObject({
      message: 'That e-mail and password do not match an account.',
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('reports malformed input per field', async () => {
    const error = await server().auth.verifyCredentials.mutate({ email: 'not-an-email', password: '' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      data: {
        code: 'BAD_REQUEST',
        zodError: { fieldErrors: { email: ['Enter a valid e-mail address.'], password: ['Enter your password.'] } },
      },
    });
  });
});

describe('auth.verifyCredentials throttles attempts per e-mail address', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await createUser(api.database.prisma, { email: 'target@acme.example', password: 'the right one' });
    await createUser(api.database.prisma, { email: 'bystander@acme.example', password: 'bystander pass' });
  });
  afterAll(() => api.close());

  const server = () => trpcClient(api);
  const codeOf = (attempt: Promise<unknown>) => attempt.then(() => 'OK', (error: unknown) => (error as { data?: { code?: string } }).data?.code ?? 'NO_CODE');

  it('refuses the eleventh attempt in a row with TOO_MANY_REQUESTS, even with the right password, and leaves other addresses alone', async () => {
    const guesses: string[] = [];
    for (let i = 0; i < SIGN_IN_ATTEMPTS.burst!; i += 1) {
      guesses.push(await codeOf(server().auth.verifyCredentials.mutate({ email: 'target@acme.example', password: `guess ${i}` })));
    }
    expect(guesses).toEqual(Array(SIGN_IN_ATTEMPTS.burst).fill('UNAUTHORIZED'));

    const blocked = await server().auth.verifyCredentials.mutate({ email: ' TARGET@acme.example', password: 'the right one' }).catch((caught: unknown) => caught);
    expect(blocked).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
    expect((blocked as Error).message).toMatch(/Too many sign-in attempts for this e-mail address\. Try again in a minute\./);

    await expect(server().auth.verifyCredentials.mutate({ email: 'bystander@acme.example', password: 'bystander pass' })).resolves.toMatchObject({ email: 'bystander@acme.example' });
  });

  it('keeps no e-mail address in the bucket table', async () => {
    const keys = await api.database.prisma.rateLimitBucket.findMany({ select: { key: true } });
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.map((row) => row.key).join(' ')).not.toContain('acme.example');
    expect(keys.map((row) => row.key)).toContain(signInBucketKey('target@acme.example'));
  });
});
