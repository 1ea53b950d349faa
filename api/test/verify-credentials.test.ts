import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
