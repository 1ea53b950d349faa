import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';

/**
 * Built-in Dashboard roles that may change payments. A Resync ends in a write to the charge
 * (the Sage document number goes back into its metadata), so the button is offered only to
 * these. Read-only finance roles (`view_only`, `tax_analyst`, …) see the status and no button.
 */
const ROLES_THAT_WRITE_PAYMENTS = new Set([
  'super_admin',
  'admin',
  'developer',
  'analyst',
  'support_specialist',
  'refund_analyst',
  'dispute_analyst',
]);

/** The permission a Resync exercises on the charge. */
export const RESYNC_PERMISSION = 'charge_write';

// Older Dashboards send roles without `id`; their display names map onto the ids
// ("Administrator" is the one whose name differs).
function roleId(role: { id?: string; name: string }): string {
  if (role.id) return role.id;
  const fromName = role.name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return fromName === 'administrator' ? 'admin' : fromName;
}

/**
 * Whether to offer Resync to this Dashboard user. Hiding the button is for the user's sake; the
 * backend still decides from the signed user and account whether a resync is allowed.
 */
export function canResync(context: Pick<ExtensionContextValue, 'userContext' | 'appContext'>): boolean {
  const permissions = context.appContext?.authorizedPermissions;
  if (permissions && !permissions.includes(RESYNC_PERMISSION)) return false;

  const roles = context.userContext?.roles;
  if (!roles || roles.length === 0) return false;
  // Custom roles (private apps) cannot be read here; for them the permission check above decides.
  return roles.some((role) => role.type === 'custom' || ROLES_THAT_WRITE_PAYMENTS.has(roleId(role)));
}
