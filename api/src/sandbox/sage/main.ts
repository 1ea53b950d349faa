import { z } from 'zod';
import { createLogger } from '../../observability/logger.ts';
import { exitOnStartupFailure, stopOnSignal } from '../../process/stop-on-signal.ts';
import { buildSageSandbox } from './sage-sandbox-server.ts';

// `npm run sage-sandbox -w @sagesync/api`: the Sage sandbox on its own port.

const ZSandboxEnv = z.object({
  SAGE_SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SAGE_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  /** e.g. `.data/sage-sandbox.json`; in memory when unset. */
  SAGE_SANDBOX_DATA_FILE: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined)),
  SAGE_SANDBOX_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

try {
  const env = ZSandboxEnv.parse(process.env);
  const log = createLogger({ level: env.LOG_LEVEL, service: 'sage-sandbox' });
  const sandbox = buildSageSandbox({ dataFile: env.SAGE_SANDBOX_DATA_FILE, accessTokenTtlSeconds: env.SAGE_SANDBOX_ACCESS_TOKEN_TTL_SECONDS, logger: log });
  const url = await sandbox.listen(env.SAGE_SANDBOX_PORT, env.SAGE_SANDBOX_HOST);
  log.info({ url, dataFile: env.SAGE_SANDBOX_DATA_FILE ?? null, companies: sandbox.store.listCompanies().map((company) => company.id) }, `Sage sandbox ready at ${url}`);
  stopOnSignal(log, [{ name: 'sage sandbox', run: () => sandbox.close() }]);
} catch (error) {
  exitOnStartupFailure(null, error);
}
