import { z } from 'zod';

/**
 * The backend contract of the Stripe App, route by route: what each request signs and sends,
 * and the response schema every body is parsed with before a view sees it. The api implements
 * the same routes (README.md, "Backend contract"); a change here is a change there.
 */

export const ZSyncStatusSchema = z.enum(['synced', 'pending', 'failed', 'held', 'skipped', 'dead', 'not_synced']);
export type SyncStatus = z.infer<typeof ZSyncStatusSchema>;

/** What went wrong, in words a finance admin understands, and what to do about it. */
export const ZUserFacingErrorSchema = z.object({
  message: z.string().min(1),
  action: z.string().min(1),
});
export type UserFacingError = z.infer<typeof ZUserFacingErrorSchema>;

export const ZSyncRecordSchema = z.object({
  /** `ch_…`, `re_…` or `du_…`. */
  id: z.string().min(1),
  status: ZSyncStatusSchema,
  /** The normalized Sage document type, e.g. `cash_receipt`, `credit_memo`, `journal_entry`. */
  sageDocumentType: z.string().min(1).optional(),
  sageDocumentNumber: z.string().min(1).optional(),
  error: ZUserFacingErrorSchema.optional(),
  anomalyReasons: z.array(z.string().min(1)).optional(),
  /** Present on refunds and disputes so several of them can be told apart. */
  amountMinor: z.number().int().optional(),
  currency: z.string().length(3).optional(),
  portalUrl: z.url(),
});
export type SyncRecord = z.infer<typeof ZSyncRecordSchema>;

export const ZAttemptOutcomeSchema = z.enum(['succeeded', 'failed', 'held', 'skipped', 'dead']);
export type AttemptOutcome = z.infer<typeof ZAttemptOutcomeSchema>;

export const ZSyncAttemptSchema = z.object({
  number: z.number().int().positive(),
  outcome: ZAttemptOutcomeSchema,
  at: z.iso.datetime({ offset: true }),
  error: ZUserFacingErrorSchema.optional(),
});
export type SyncAttempt = z.infer<typeof ZSyncAttemptSchema>;

// POST /stripe-app/charge-status   signs { object_id }
export const ZChargeStatusResponseSchema = z.object({
  charge: ZSyncRecordSchema,
  refunds: z.array(ZSyncRecordSchema),
  dispute: ZSyncRecordSchema.nullable(),
  attempts: z.array(ZSyncAttemptSchema),
});
export type ChargeStatus = z.infer<typeof ZChargeStatusResponseSchema>;

// POST /stripe-app/resync   signs { charge_id }
export const ZResyncResponseSchema = z.object({
  /** `queued`: a sync job was enqueued; `synced`: it completed at once; `failed`: it was refused. */
  status: z.enum(['queued', 'synced', 'failed']),
  message: z.string().min(1),
  /** Present when `status` is `failed`: what the user can do. */
  action: z.string().min(1).optional(),
});
export type ResyncResult = z.infer<typeof ZResyncResponseSchema>;

// POST /stripe-app/payouts   signs {}
export const ZPayoutStateSchema = z.enum(['posted', 'held', 'pending', 'failed']);
export type PayoutState = z.infer<typeof ZPayoutStateSchema>;

export const ZPayoutReconciliationSchema = z.object({
  id: z.string().min(1),
  amountMinor: z.number().int(),
  currency: z.string().length(3),
  /** The tenant-local calendar date, `YYYY-MM-DD`. */
  arrivalDate: z.iso.date(),
  state: ZPayoutStateSchema,
  /** Held payouts: journal total minus the payout's balance transactions, in minor units. */
  differenceMinor: z.number().int().optional(),
  journalNumber: z.string().min(1).optional(),
  error: ZUserFacingErrorSchema.optional(),
});
export type PayoutReconciliation = z.infer<typeof ZPayoutReconciliationSchema>;

export const ZPayoutsResponseSchema = z.object({
  payouts: z.array(ZPayoutReconciliationSchema),
});
export type PayoutsResult = z.infer<typeof ZPayoutsResponseSchema>;

// POST /stripe-app/health   signs {}
export const ZSageEditionSchema = z.enum(['sage500', 'sage_pro', 'sage50', 'sage_accounting']);
export type SageEdition = z.infer<typeof ZSageEditionSchema>;

export const ZIntegrationHealthSchema = z.object({
  state: z.enum(['healthy', 'degraded', 'down']),
  sageEdition: ZSageEditionSchema,
  lastSyncAt: z.iso.datetime({ offset: true }).nullable(),
  /** Why the integration is degraded or down. */
  message: z.string().min(1).optional(),
});
export type IntegrationHealth = z.infer<typeof ZIntegrationHealthSchema>;

export const ZSyncFailureSchema = z.object({
  /** The failed object: `ch_…`, `re_…` or `du_…`. */
  objectId: z.string().min(1),
  kind: z.enum(['charge', 'refund', 'dispute']),
  /** The charge a Resync is asked for (a refund or dispute resyncs with its charge). */
  chargeId: z.string().min(1),
  status: z.enum(['failed', 'dead']),
  amountMinor: z.number().int(),
  currency: z.string().length(3),
  at: z.iso.datetime({ offset: true }),
  error: ZUserFacingErrorSchema,
  portalUrl: z.url(),
});
export type SyncFailure = z.infer<typeof ZSyncFailureSchema>;

export const ZHealthResponseSchema = z.object({
  /** `null` until a Sage company is connected in the portal. */
  integration: ZIntegrationHealthSchema.nullable(),
  /** Newest first. */
  failures: z.array(ZSyncFailureSchema),
  heldCount: z.number().int().nonnegative(),
  reviewQueueUrl: z.url(),
});
export type HealthResult = z.infer<typeof ZHealthResponseSchema>;

// POST /stripe-app/settings   signs {}
export const ZPostingModeSchema = z.enum(['per_transaction', 'payout_summary']);
export type PostingMode = z.infer<typeof ZPostingModeSchema>;

export const ZSageConnectionSchema = z.object({
  sageEdition: ZSageEditionSchema,
  companyName: z.string().min(1).optional(),
  state: z.enum(['connected', 'error', 'disconnected']),
  message: z.string().min(1).optional(),
});
export type SageConnection = z.infer<typeof ZSageConnectionSchema>;

export const ZIntegrationStatusSchema = z.enum(['active', 'paused', 'disconnected']);
export type IntegrationStatus = z.infer<typeof ZIntegrationStatusSchema>;

export const ZPortalRoleSchema = z.enum(['owner', 'admin', 'reviewer', 'viewer']);
export type PortalRole = z.infer<typeof ZPortalRoleSchema>;

/**
 * The Dashboard user's own link to a portal user. Resync is allowed only to a linked user whose
 * portal role may resync; any Dashboard user of a linked account links themselves with `link`.
 */
export const ZStripeUserLinkSchema = z.object({
  linked: z.boolean(),
  canResync: z.boolean(),
  portalUserEmail: z.string().min(1).optional(),
  role: ZPortalRoleSchema.optional(),
  /** What this means for the user, in a sentence. */
  message: z.string().min(1),
});
export type StripeUserLink = z.infer<typeof ZStripeUserLinkSchema>;

export const ZSettingsResponseSchema = z.object({
  linked: z.boolean(),
  organizationName: z.string().min(1).optional(),
  integrationStatus: ZIntegrationStatusSchema.optional(),
  postingMode: ZPostingModeSchema.optional(),
  /** `null` (or absent) while no Sage company is connected. */
  connection: ZSageConnectionSchema.nullable().optional(),
  portalUrl: z.url().optional(),
  stripeUser: ZStripeUserLinkSchema.optional(),
});
export type SettingsResult = z.infer<typeof ZSettingsResponseSchema>;

// POST /stripe-app/link   signs {}
export const ZLinkResponseSchema = z.object({
  /**
   * A single-use, expiring sign-in link to the portal: it links this Stripe account (and the user
   * who asked) while the account is not linked, and afterwards links only the user who asked.
   */
  url: z.url({ protocol: /^https?$/ }),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type SignInLink = z.infer<typeof ZLinkResponseSchema>;

/** Non-2xx responses carry this body. */
export const ZBackendErrorBodySchema = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string().min(1),
    action: z.string().min(1).optional(),
    retryable: z.boolean().optional(),
  }),
});
export type BackendErrorBody = z.infer<typeof ZBackendErrorBodySchema>;
