import { z } from 'zod';

/** The `token` of a /link/stripe URL: 32 random bytes, base64url. */
export const ZStripeLinkTokenSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{20,128}$/, 'This link is not valid. Open the Sage Sync app settings in the Stripe Dashboard and get a new link.');
