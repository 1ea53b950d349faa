import type { Membership } from '@/trpc/router-types';

/** Mirrors the api's rule for admin-only mutations; the api still enforces it. */
export function canManageIntegrations(role: Membership['role']): boolean {
  return role === 'owner' || role === 'admin';
}
