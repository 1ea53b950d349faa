import { router } from '../procedures.ts';
import { getBackfillStatusRoute } from './get-backfill-status.ts';
import { startBackfillRoute } from './start-backfill.ts';

export const backfillRouter = router({
  start: startBackfillRoute,
  status: getBackfillStatusRoute,
});
