import { z } from 'zod';
import { isValidTimeZone } from '../../accounting/local-date.ts';
import { ZSageEditionSchema } from '../enum-schemas.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZStripeLinkTokenSchema } from './link-token.types.ts';

/** The Sage side of the integration created for a Stripe account linked for the first time. */
export const ZNewStripeIntegrationSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name, or leave it out.').max(120, 'Keep the name under 120 characters.').optional(),
  sageEdition: ZSageEditionSchema,
  sageCompanyId: z.string().trim().min(1, 'Enter the Sage company id.').max(100, 'Keep the Sage company id under 100 characters.'),
  timeZone: z.string().trim().refine(isValidTimeZone, 'Use an IANA time zone such as America/Chicago.'),
  homeCurrency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'Use a three-letter currency code such as USD.'),
});

export const ZConfirmStripeLinkRequestSchema = ZOrgScopedRequestSchema.extend({
  token: ZStripeLinkTokenSchema,
  /** Needed only when the Stripe account is not linked yet. */
  integration: ZNewStripeIntegrationSchema.optional(),
});

export const ZConfirmStripeLinkResponseSchema = z.object({
  /** `account_linked`: the account now syncs into this organization; `user_linked`: it already did, the Stripe user is linked. */
  outcome: z.enum(['account_linked', 'user_linked']),
  stripeAccountId: z.string(),
  orgName: z.string(),
  integrationId: z.string(),
  integrationName: z.string(),
  stripeUserLinked: z.boolean(),
});

export type TNewStripeIntegration = z.infer<typeof ZNewStripeIntegrationSchema>;
export type TConfirmStripeLinkRequest = z.infer<typeof ZConfirmStripeLinkRequestSchema>;
export type TConfirmStripeLinkResponse = z.infer<typeof ZConfirmStripeLinkResponseSchema>;
