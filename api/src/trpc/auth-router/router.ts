import { router } from '../procedures.ts';
import { verifyCredentialsRoute } from './verify-credentials.ts';

export const authRouter = router({
  verifyCredentials: verifyCredentialsRoute,
});
