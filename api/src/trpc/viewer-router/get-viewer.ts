import { TRPCError } from '@trpc/server';
import { signedInProcedure } from '../procedures.ts';
import { ZGetViewerResponseSchema } from './get-viewer.types.ts';

/** Who is signed in and which organizations they can open, for the portal's header and org switcher. */
export const getViewerRoute = signedInProcedure.output(ZGetViewerResponseSchema).query(async ({ ctx }) => {
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.session.userId },
    select: {
      id: true,
      email: true,
      name: true,
      memberships: {
        select: { role: true, org: { select: { id: true, name: true, slug: true } } },
        orderBy: { org: { name: 'asc' } },
      },
    },
  });
  // The session was checked a moment ago; a user deleted in between is simply signed out.
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
  return {
    user: { id: user.id, email: user.email, name: user.name },
    memberships: user.memberships.map((membership) => ({
      orgId: membership.org.id,
      orgName: membership.org.name,
      orgSlug: membership.org.slug,
      role: membership.role,
    })),
  };
});
