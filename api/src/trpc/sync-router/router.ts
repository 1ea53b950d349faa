import { router } from '../procedures.ts';
import { redriveDeadRecordsRoute } from './redrive-dead-records.ts';
import { resyncRecordRoute } from './resync-record.ts';

export const syncRouter = router({
  resync: resyncRecordRoute,
  redrive: redriveDeadRecordsRoute,
});
