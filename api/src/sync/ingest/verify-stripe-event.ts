import Stripe from 'stripe';
import { z } from 'zod';

/** Stripe's own default: a signed delivery older than five minutes is refused (replay protection). */
export const SIGNATURE_TOLERANCE_SECONDS = Stripe.webhooks.DEFAULT_TOLERANCE;

export type WebhookRejectionCode =
  | 'WEBHOOK_NOT_CONFIGURED'
  | 'WEBHOOK_SIGNATURE_MISSING'
  | 'WEBHOOK_SIGNATURE_INVALID'
  | 'WEBHOOK_TIMESTAMP_STALE'
  | 'WEBHOOK_EVENT_MALFORMED';

/**
 * A delivery we refuse with 400 and store nothing of. Stripe retries it, which is what we want:
 * a new secret configured or a clock fixed lets the retry through.
 */
export class WebhookRejectedError extends Error {
  readonly httpStatus = 400;
  readonly retryable = false;
  constructor(
    readonly code: WebhookRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejectedError';
  }
}

/** The part of a Stripe event the ingest path reads; everything else is kept as raw payload. */
export const ZStripeEventEnvelope = z.object({
  id: z.string().min(1),
  object: z.literal('event').optional(),
  type: z.string().min(1),
  created: z.number().int().nonnegative(),
  livemode: z.boolean(),
  /** Set on events of connected accounts (platform mode): the tenant is found from it. */
  account: z.string().min(1).nullish(),
  api_version: z.string().nullish(),
  data: z.object({ object: z.looseObject({ id: z.unknown().optional() }) }),
});
export type StripeEventEnvelope = z.infer<typeof ZStripeEventEnvelope>;

export type VerifiedStripeEvent = {
  event: StripeEventEnvelope;
  /** The exact JSON text Stripe signed; stored as the event's payload. */
  payloadText: string;
};

/**
 * Verifies the signature on the exact bytes received, trying each configured secret (two are
 * configured while a secret rotates), then parses the event. Bytes, not a re-serialised object:
 * any change of whitespace or key order would break the signature.
 */
export function verifyStripeEvent(
  rawBody: Buffer,
  signatureHeader: string | string[] | undefined,
  secrets: readonly string[],
  tolerance: number = SIGNATURE_TOLERANCE_SECONDS,
): VerifiedStripeEvent {
  if (secrets.length === 0) {
    throw new WebhookRejectedError('WEBHOOK_NOT_CONFIGURED', 'This webhook endpoint has no signing secret configured.');
  }
  if (typeof signatureHeader !== 'string' || signatureHeader.trim() === '') {
    throw new WebhookRejectedError('WEBHOOK_SIGNATURE_MISSING', 'The Stripe-Signature header is missing.');
  }
  let stale = false;
  for (const secret of secrets) {
    let parsed: unknown;
    try {
      parsed = Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, tolerance);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        // The timestamp is checked only after a signature matched: this secret is the right one.
        if (/tolerance/i.test(error.message)) stale = true;
        continue;
      }
      // The signature was valid, so the sender holds our secret: the body itself is broken.
      throw new WebhookRejectedError('WEBHOOK_EVENT_MALFORMED', 'The signed body is not a JSON Stripe event.');
    }
    const envelope = ZStripeEventEnvelope.safeParse(parsed);
    if (!envelope.success) {
      throw new WebhookRejectedError(
        'WEBHOOK_EVENT_MALFORMED',
        `The signed body is not a Stripe event: ${envelope.error.issues.map((issue) => `${issue.path.join('.') || '(body)'} ${issue.message}`).join('; ')}.`,
      );
    }
    return { event: envelope.data, payloadText: rawBody.toString('utf8') };
  }
  if (stale) {
    throw new WebhookRejectedError(
      'WEBHOOK_TIMESTAMP_STALE',
      `The signature's timestamp is more than ${tolerance} seconds old (a replay, or a clock out of step).`,
    );
  }
  throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'The Stripe-Signature header does not match this endpoint\'s signing secret.');
}
