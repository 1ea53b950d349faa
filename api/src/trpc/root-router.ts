import { authRouter } from './auth-router/router.ts';
import { backfillRouter } from './backfill-router/router.ts';
import { integrationRouter } from './integration-router/router.ts';
import { router } from './procedures.ts';
import { recordsRouter } from './records-router/router.ts';
import { stripeAppLinkRouter } from './stripe-app-link-router/router.ts';
import { syncRouter } from './sync-router/router.ts';
import { viewerRouter } from './viewer-router/router.ts';

// Imported by the portal for its types (`import type { AppRouter } from '@sagesync/api/trpc'`):
// nothing here or below may open connections or read the environment at import time.
export const appRouter = router({
  auth: authRouter,
  viewer: viewerRouter,
  integration: integrationRouter,
  backfill: backfillRouter,
  sync: syncRouter,
  stripeAppLink: stripeAppLinkRouter,
  records: recordsRouter,
});

export type AppRouter = typeof appRouter;
