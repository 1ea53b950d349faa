import { z } from 'zod';

export const ZVerifyCredentialsRequestSchema = z.object({
  email: z.string().trim().pipe(z.email('Enter a valid e-mail address.')),
  // Bounded so a megabyte "password" cannot be used to make hashing expensive.
  password: z.string().min(1, 'Enter your password.').max(1024, 'That password is too long.'),
});

export const ZVerifyCredentialsResponseSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
});

export type TVerifyCredentialsRequest = z.infer<typeof ZVerifyCredentialsRequestSchema>;
export type TVerifyCredentialsResponse = z.infer<typeof ZVerifyCredentialsResponseSchema>;
