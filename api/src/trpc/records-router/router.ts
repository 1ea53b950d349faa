import { router } from '../procedures.ts';
import { getRecordRoute } from './get-record.ts';
import { listHeldRecordsRoute } from './list-held-records.ts';

export const recordsRouter = router({
  get: getRecordRoute,
  held: listHeldRecordsRoute,
});
