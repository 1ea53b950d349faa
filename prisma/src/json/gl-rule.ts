import { z } from 'zod';

// GL rules are data: ordered rules whose conditions choose the GL accounts. The first enabled rule
// that matches wins for each account it names; a catch-all last rule supplies every account.

export const ZGlCondition = z.discriminatedUnion('field', [
  z.object({ field: z.literal('balance_transaction_type'), in: z.array(z.string().min(1)).min(1) }),
  z.object({ field: z.literal('reporting_category'), in: z.array(z.string().min(1)).min(1) }),
  z.object({ field: z.literal('currency'), in: z.array(z.string().length(3)).min(1) }),
  /** Inclusive range in minor units of the transaction's currency. */
  z.object({
    field: z.literal('amount_minor'),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  }),
  z.object({ field: z.literal('metadata'), key: z.string().min(1), equals: z.string() }),
  z.object({ field: z.literal('product'), in: z.array(z.string().min(1)).min(1) }),
  z.object({ field: z.literal('customer'), in: z.array(z.string().min(1)).min(1) }),
]);
export type GlCondition = z.infer<typeof ZGlCondition>;

/**
 * `receivables` is credited by an invoice's payment where the edition posts a receipt as a journal
 * (Sage 500): its native invoice debited that account, so the payment must clear it.
 * `sales_tax` is the tax payable account an invoice's tax lines credit: the tax is owed to the
 * authorities, never revenue.
 */
export const GL_ACCOUNT_ROLES = ['clearing', 'bank', 'revenue', 'fees', 'refunds', 'disputes', 'fx', 'adjustments', 'receivables', 'sales_tax'] as const;
export type GlAccountRole = (typeof GL_ACCOUNT_ROLES)[number];

const ZGlAccountCode = z.string().min(1).max(40);
export const ZGlAccounts = z.object({
  clearing: ZGlAccountCode.optional(),
  bank: ZGlAccountCode.optional(),
  revenue: ZGlAccountCode.optional(),
  fees: ZGlAccountCode.optional(),
  refunds: ZGlAccountCode.optional(),
  disputes: ZGlAccountCode.optional(),
  fx: ZGlAccountCode.optional(),
  adjustments: ZGlAccountCode.optional(),
  receivables: ZGlAccountCode.optional(),
  sales_tax: ZGlAccountCode.optional(),
});
export type GlAccounts = z.infer<typeof ZGlAccounts>;

export const ZGlConditions = z.array(ZGlCondition);
