import type { OrgAccess } from './procedures.ts';

/**
 * The tenant filter for every query on organization-owned rows. `ctx.org` exists only after
 * orgProcedure has checked the caller's membership, so a query built from it is already scoped to
 * an organization the caller belongs to.
 */
export function scopeToOrg(ctx: { org: OrgAccess }): { orgId: string } {
  return { orgId: ctx.org.id };
}
