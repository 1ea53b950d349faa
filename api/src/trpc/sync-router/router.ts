import { router } from '../procedures.ts';
import { resyncRecordRoute } from './resync-record.ts';

export const syncRouter = router({
  resync: resyncRecordRoute,
});
