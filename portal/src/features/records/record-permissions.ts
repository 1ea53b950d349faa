import type { Membership } from '@/trpc/router-types';

/** Mirrors the api's rule for sync.resync (admin or higher); the api still enforces it. */
export function canResyncRecords(role: Membership['role']): boolean {
  return role === 'owner' || role === 'admin';
}
