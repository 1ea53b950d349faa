import type { RouterInputs, RouterOutputs } from '@/trpc/router-types';

// The records procedures' own types, named once for the components that show them.
export type SyncRecordView = RouterOutputs['records']['get'];
export type RelatedRecord = NonNullable<SyncRecordView['parent']>;
export type RecordAttempt = SyncRecordView['attempts'][number];
export type RecordAmount = NonNullable<SyncRecordView['amount']>;
export type HeldRecordsPage = RouterOutputs['records']['held'];
export type HeldRecord = HeldRecordsPage['items'][number];
export type HeldRecordsInput = RouterInputs['records']['held'];
