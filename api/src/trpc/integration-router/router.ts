import { router } from '../procedures.ts';
import { listIntegrationsRoute } from './list-integrations.ts';
import { updatePostingModeRoute } from './update-posting-mode.ts';

export const integrationRouter = router({
  list: listIntegrationsRoute,
  updatePostingMode: updatePostingModeRoute,
});
