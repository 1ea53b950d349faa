import type { IntegrationStatus, MembershipRole, PaymentSource, PostingMode, SageDocumentType, SageEdition, SourceObjectType, SyncStatus } from '@sagesync/db';
import { z } from 'zod';

// zod mirrors of the Prisma enums. They import Prisma's types only, so the portal can import the
// request schemas (one schema for the form and the server) without pulling in the database client.
// The type parameter makes a value added to the Prisma enum a compile error here until it is listed.

function enumOf<T extends string>() {
  return <const Values extends readonly [T, ...T[]]>(
    values: Values & ([Exclude<T, Values[number]>] extends [never] ? unknown : { missing: Exclude<T, Values[number]> }),
  ) => z.enum(values);
}

export const ZMembershipRoleSchema = enumOf<MembershipRole>()(['owner', 'admin', 'reviewer', 'viewer']);
export const ZPaymentSourceSchema = enumOf<PaymentSource>()(['stripe', 'paytrace']);
export const ZSageEditionSchema = enumOf<SageEdition>()(['sage500', 'sage_pro', 'sage50', 'sage_accounting']);
export const ZPostingModeSchema = enumOf<PostingMode>()(['per_transaction', 'payout_summary']);
export const ZIntegrationStatusSchema = enumOf<IntegrationStatus>()(['active', 'paused', 'disconnected']);
export const ZSyncStatusSchema = enumOf<SyncStatus>()(['pending', 'synced', 'failed', 'held', 'skipped', 'dead']);
export const ZSourceObjectTypeSchema = enumOf<SourceObjectType>()([
  'charge',
  'refund',
  'dispute',
  'customer',
  'invoice',
  'subscription',
  'payout',
  'paytrace_sale',
  'paytrace_refund',
  'paytrace_customer',
  'paytrace_batch',
]);
export const ZSageDocumentTypeSchema = enumOf<SageDocumentType>()(['customer', 'sales_order', 'invoice', 'cash_receipt', 'credit_memo', 'journal_entry']);
