import type { MembershipRole } from '@sagesync/db';
import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context.ts';
import { checkMutationRequest } from './mutation-guard.ts';
import { ZOrgScopedRequestSchema } from './org-scoped-request.ts';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    // Stacks stay in the log (see the server's onError), never in a response.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      // An unexpected failure's message may carry SQL: the log keeps it, the caller gets the
      // request id to quote instead.
      message: internal ? 'Something went wrong on our side. Quote the request id if you report it.' : shape.message,
      data: {
        ...data,
        requestId: ctx?.requestId ?? null,
        // Per-field messages, keyed by field name, from the same schema the form validates with.
        zodError:
          error.cause instanceof ZodError ? z.flattenError(error.cause as ZodError<Record<string, unknown>>) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every mutation, whatever its procedure, passes the cross-site and content-type checks first. */
const guardMutations = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation') {
    const refusal = checkMutationRequest(ctx.headers, ctx.portalOrigin);
    if (refusal) throw new TRPCError({ code: refusal.code, message: refusal.message });
  }
  return next();
});

export const publicProcedure = t.procedure.use(guardMutations);

export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
  return next({ ctx: { session: ctx.session } });
});

export type OrgAccess = { id: string; role: MembershipRole };

/**
 * Procedures on one organization's data. The caller names the organization; the membership is
 * read from the database, so the client's say-so never grants access.
 */
export const orgProcedure = signedInProcedure.input(ZOrgScopedRequestSchema).use(async ({ ctx, input, next }) => {
  const membership = await ctx.db.membership.findUnique({
    where: { orgId_userId: { orgId: input.orgId, userId: ctx.session.userId } },
    select: { role: true },
  });
  if (!membership) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of this organization.' });
  }
  const org: OrgAccess = { id: input.orgId, role: membership.role };
  return next({ ctx: { org } });
});

/** Higher roles can do everything lower roles can. */
const ROLE_RANK: Record<MembershipRole, number> = { owner: 4, admin: 3, reviewer: 2, viewer: 1 };

export function hasRole(role: MembershipRole, minimum: MembershipRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

/** `orgProcedure.use(requireRole('admin'))`: FORBIDDEN below the given role. */
export function requireRole(minimum: MembershipRole) {
  return <Options extends { ctx: { org: OrgAccess }; next: () => unknown }>({ ctx, next }: Options) => {
    if (!hasRole(ctx.org.role, minimum)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${minimum} role or higher in the organization.` });
    }
    return next() as ReturnType<Options['next']>;
  };
}
