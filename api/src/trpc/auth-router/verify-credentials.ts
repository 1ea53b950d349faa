import { UNKNOWN_USER_PASSWORD_HASH, verifyPassword } from '@sagesync/db';
import { TRPCError } from '@trpc/server';
import { publicProcedure } from '../procedures.ts';
import { spendSignInAttempt } from './sign-in-throttle.ts';
import { ZVerifyCredentialsRequestSchema, ZVerifyCredentialsResponseSchema } from './verify-credentials.types.ts';

/**
 * The portal's next-auth credentials provider asks this, server to server, whether an e-mail and
 * password pair is good. Every failure gets the same message and the same hashing cost, so the
 * answer does not reveal which e-mail addresses have accounts. Attempts are throttled per e-mail
 * (sign-in-throttle.ts) before any hashing, whether the address has an account or not.
 */
export const verifyCredentialsRoute = publicProcedure
  .input(ZVerifyCredentialsRequestSchema)
  .output(ZVerifyCredentialsResponseSchema)
  .mutation(async ({ ctx, input }) => {
    await spendSignInAttempt(ctx.db, input.email);
    const user = await ctx.db.user.findFirst({
      where: { email: { equals: input.email, mode: 'insensitive' } },
      select: { id: true, email: true, name: true, passwordHash: true },
    });
    const matches = await verifyPassword(input.password, user?.passwordHash ?? UNKNOWN_USER_PASSWORD_HASH);
    if (!user?.passwordHash || !matches) {
      ctx.log.info({ event: 'sign_in_refused' }, 'credentials refused');
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'That e-mail and password do not match an account.' });
    }
    return { id: user.id, email: user.email, name: user.name };
  });
