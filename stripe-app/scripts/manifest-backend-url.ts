import { BACKEND_URL_CONSTANT, connectSrcFor } from '../src/config/backend-url';

type Manifest = {
  ui_extension: { content_security_policy?: Record<string, unknown> } & Record<string, unknown>;
  constants?: Record<string, unknown> | null;
} & Record<string, unknown>;

/**
 * The manifest pointed at one backend: the `BACKEND_URL` constant the views read, and the only
 * `connect-src` entry, both from the same URL so they cannot drift apart.
 */
export function withBackendUrl<M extends Manifest>(manifest: M, backendUrl: string): M {
  return {
    ...manifest,
    ui_extension: {
      ...manifest.ui_extension,
      content_security_policy: {
        ...manifest.ui_extension.content_security_policy,
        'connect-src': [connectSrcFor(backendUrl)],
      },
    },
    constants: { ...manifest.constants, [BACKEND_URL_CONSTANT]: backendUrl },
  };
}
