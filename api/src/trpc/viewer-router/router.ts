import { router } from '../procedures.ts';
import { getViewerRoute } from './get-viewer.ts';

export const viewerRouter = router({
  get: getViewerRoute,
});
