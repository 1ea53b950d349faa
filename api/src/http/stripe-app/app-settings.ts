import type { Connection, Integration, IntegrationStatus, MembershipRole, PostingMode, PrismaClient } from '@sagesync/db';
import { RESYNC_MINIMUM_ROLE, stripeUserAccess } from './stripe-user-access.ts';
import { hasRole } from '../../trpc/procedures.ts';

// The Stripe App's settings page: whether the signed account is linked, and once it is, the
// integration's connection state and posting mode, and whether this Dashboard user is linked to a
// portal user. Shapes mirror stripe-app/src/api/contract.ts (ZSettingsResponseSchema).

export type AppConnection = {
  sageEdition: Integration['sageEdition'];
  companyName?: string;
  state: 'connected' | 'error' | 'disconnected';
  message?: string;
};

export type AppStripeUser = { linked: boolean; canResync: boolean; portalUserEmail?: string; role?: MembershipRole; message: string };

export type AppSettings =
  | { linked: false }
  | {
      linked: true;
      organizationName: string;
      integrationStatus: IntegrationStatus;
      postingMode: PostingMode;
      connection: AppConnection;
      portalUrl: string;
      stripeUser: AppStripeUser;
    };

const CONNECT_IN_PORTAL = 'An owner or admin connects Sage in the Sage Sync portal.';

/** The Sage side as a finance user reads it: the connection row's state, or its absence. */
export function appConnection(integration: Integration, connection: Pick<Connection, 'status'> | null): AppConnection {
  const base = { sageEdition: integration.sageEdition, ...(integration.sageCompanyId ? { companyName: integration.sageCompanyId } : {}) };
  if (integration.status === 'disconnected') return { ...base, state: 'disconnected', message: `Sage is disconnected. ${CONNECT_IN_PORTAL}` };
  if (!connection) return { ...base, state: 'disconnected', message: `Sage is not connected yet. ${CONNECT_IN_PORTAL}` };
  switch (connection.status) {
    case 'connected':
      return { ...base, state: 'connected' };
    case 'needs_reauth':
      return { ...base, state: 'error', message: `Sage asks to be connected again before anything more is posted. ${CONNECT_IN_PORTAL}` };
    case 'revoked':
      return { ...base, state: 'disconnected', message: `Access to Sage was revoked. ${CONNECT_IN_PORTAL}` };
  }
}

export async function appSettings(
  db: PrismaClient,
  integration: Integration | null,
  stripeUserId: string,
  portalOrigin: string,
): Promise<AppSettings> {
  if (!integration) return { linked: false };
  const [org, connection, access] = await Promise.all([
    db.organization.findUniqueOrThrow({ where: { id: integration.orgId }, select: { name: true } }),
    db.connection.findUnique({ where: { integrationId_provider: { integrationId: integration.id, provider: integration.sageEdition } }, select: { status: true } }),
    stripeUserAccess(db, integration, stripeUserId),
  ]);
  let stripeUser: AppStripeUser;
  if (access.linked) {
    const canResync = hasRole(access.role, RESYNC_MINIMUM_ROLE);
    stripeUser = {
      linked: true,
      canResync,
      portalUserEmail: access.email,
      role: access.role,
      message: canResync
        ? `You act in Sage Sync as ${access.email} (${access.role}), and can resync payments.`
        : `You act in Sage Sync as ${access.email} (${access.role}): you can see sync statuses; resync needs the admin role.`,
    };
  } else {
    stripeUser = {
      linked: false,
      canResync: false,
      message:
        access.reason === 'not_a_member'
          ? `Your Stripe user is linked to a Sage Sync sign-in that is no longer in ${org.name}. Link it again to resync payments.`
          : 'Link your Stripe user to your Sage Sync sign-in to resync payments from the Dashboard.',
    };
  }
  return {
    linked: true,
    organizationName: org.name,
    integrationStatus: integration.status,
    postingMode: integration.postingMode,
    connection: appConnection(integration, connection),
    portalUrl: `${portalOrigin}/`,
    stripeUser,
  };
}
