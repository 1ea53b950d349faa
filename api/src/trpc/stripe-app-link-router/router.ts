import { router } from '../procedures.ts';
import { confirmStripeLinkRoute } from './confirm-stripe-link.ts';
import { previewStripeLinkRoute } from './preview-stripe-link.ts';

export const stripeAppLinkRouter = router({
  preview: previewStripeLinkRoute,
  confirm: confirmStripeLinkRoute,
});
