import 'server-only';
import { TRPCClientError } from '@trpc/client';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { createApiClient } from './api-client';
import './env';

const ZCredentialsSchema = z.object({
  email: z.string().trim().email(),
  password: z.string().min(1),
});

/** Message next-auth hands back to the sign-in form when the api cannot answer. */
export const SIGN_IN_UNAVAILABLE = 'SignInUnavailable';
/** Message next-auth hands back when the api refuses further attempts for this e-mail for now. */
export const SIGN_IN_THROTTLED = 'SignInThrottled';

/**
 * The api decodes this session cookie itself with the shared NEXTAUTH_SECRET, so the strategy
 * must stay `jwt` with next-auth's default encode/decode, and the cookie keeps its default
 * SameSite=Lax.
 */
export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  pages: { signIn: '/signin', error: '/signin' },
  providers: [
    CredentialsProvider({
      name: 'E-mail and password',
      credentials: {
        email: { label: 'E-mail', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials) {
        const parsed = ZCredentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        try {
          const user = await createApiClient().auth.verifyCredentials.mutate(parsed.data);
          return { id: user.id, email: user.email, name: user.name };
        } catch (error) {
          if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED') return null;
          if (error instanceof TRPCClientError && error.data?.code === 'TOO_MANY_REQUESTS') throw new Error(SIGN_IN_THROTTLED, { cause: error });
          console.error(
            JSON.stringify({
              level: 'error',
              msg: 'sign-in could not reach the api',
              error: error instanceof Error ? error.message : String(error),
            }),
          );
          throw new Error(SIGN_IN_UNAVAILABLE, { cause: error });
        }
      },
    }),
  ],
};
