import { z } from 'zod';
import { createLogger, type Logger } from '../../observability/logger.ts';
import { exitOnStartupFailure, stopOnSignal } from '../../process/stop-on-signal.ts';
import { loadDemoData } from './demo-data.ts';
import { buildStripeFake } from './stripe-fake-server.ts';

// The Stripe fake on its own, for the demo and for running the product against it by hand:
// `STRIPE_FAKE_PORT=4020 tsx src/sandbox/stripe-fake/main.ts`, then point the SDK at
// { host: '127.0.0.1', port: 4020, protocol: 'http' } with any sk_test_ key.

const ZStripeFakeEnv = z.object({
  STRIPE_FAKE_HOST: z.string().min(1).default('127.0.0.1'),
  STRIPE_FAKE_PORT: z.coerce.number().int().min(0).max(65_535).default(4020),
  /** Seeds the demo data and generated ids: the same seed gives the same demo every time. */
  STRIPE_FAKE_SEED: z.coerce.number().int().default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

let log: Logger | null = null;
try {
  const env = ZStripeFakeEnv.parse(process.env);
  log = createLogger({ level: env.LOG_LEVEL }).child({ component: 'stripe-fake' });
  const fake = buildStripeFake({ seed: env.STRIPE_FAKE_SEED, logger: log });
  const demo = loadDemoData(fake.store, env.STRIPE_FAKE_SEED);
  const { url } = await fake.listen(env.STRIPE_FAKE_PORT, env.STRIPE_FAKE_HOST);
  log.info({ url, demo }, `stripe fake ready at ${url}`);
  stopOnSignal(log, [{ name: 'stripe fake', run: () => fake.close() }]);
} catch (error) {
  exitOnStartupFailure(log, error);
}
