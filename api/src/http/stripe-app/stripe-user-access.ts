import type { Integration, MembershipRole, PrismaClient } from '@sagesync/db';
import { hasRole } from '../../trpc/procedures.ts';

// The Stripe App acts for a portal user only after the Dashboard user linked themselves through a
// link token (StripeAppUserLink). What they may do then is what their membership allows in the
// portal: one rule for both, so the app never grants more than the portal would.

/** The same minimum as the portal's `sync.resync`. */
export const RESYNC_MINIMUM_ROLE: MembershipRole = 'admin';

export const LINK_USER_ACTION = 'Link your Stripe user in Settings: open the Sage Sync app settings in the Stripe Dashboard and choose "Link my Stripe user".';

export type StripeUserAccess =
  | { linked: false; reason: 'not_linked' | 'not_a_member' }
  | { linked: true; userId: string; email: string; role: MembershipRole };

export async function stripeUserAccess(db: PrismaClient, integration: Pick<Integration, 'id' | 'orgId'>, stripeUserId: string): Promise<StripeUserAccess> {
  const link = await db.stripeAppUserLink.findUnique({
    where: { integrationId_stripeUserId: { integrationId: integration.id, stripeUserId } },
    select: { user: { select: { id: true, email: true, memberships: { where: { orgId: integration.orgId }, select: { role: true } } } } },
  });
  if (!link) return { linked: false, reason: 'not_linked' };
  const membership = link.user.memberships[0];
  // Linked once, but no longer in the organization: nothing is allowed until they link again as a member.
  if (!membership) return { linked: false, reason: 'not_a_member' };
  return { linked: true, userId: link.user.id, email: link.user.email, role: membership.role };
}

export type ResyncRefusal = { code: 'STRIPE_USER_NOT_LINKED' | 'RESYNC_ROLE_REQUIRED'; message: string; action: string };

/** Why this Dashboard user may not resync, or null when they may. */
export function resyncRefusal(access: StripeUserAccess, organizationName: string): ResyncRefusal | null {
  if (!access.linked) {
    return {
      code: 'STRIPE_USER_NOT_LINKED',
      message:
        access.reason === 'not_a_member'
          ? `Your Stripe user is linked to a Sage Sync sign-in that is no longer a member of ${organizationName}, so it cannot resync.`
          : 'Your Stripe user is not linked to a Sage Sync sign-in yet, so Sage Sync cannot tell whether you may resync.',
      action: LINK_USER_ACTION,
    };
  }
  if (!hasRole(access.role, RESYNC_MINIMUM_ROLE)) {
    return {
      code: 'RESYNC_ROLE_REQUIRED',
      message: `Your Sage Sync role in ${organizationName} (${access.role}) can see sync statuses but not resync.`,
      action: `Ask an owner or admin of ${organizationName} in Sage Sync to resync it, or to give ${access.email} the admin role.`,
    };
  }
  return null;
}
