import { Badge } from '@stripe/ui-extension-sdk/ui';
import type { SyncStatus } from '../api/contract';
import { SYNC_STATUS_BADGE } from './sync-status-text';

export function SyncStatusBadge({ status }: { status: SyncStatus }) {
  const { label, type } = SYNC_STATUS_BADGE[status];
  return <Badge type={type}>{label}</Badge>;
}
