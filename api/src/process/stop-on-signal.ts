import type { Logger } from '../observability/logger.ts';

export type ShutdownStep = { name: string; run: () => Promise<unknown> };

/**
 * On SIGINT or SIGTERM, runs the steps in the order given (stop taking work before closing what
 * the work uses) and exits: 0 when every step finished, 1 when one failed. A second signal while
 * stopping exits at once, for the operator who presses Ctrl-C twice.
 */
export function stopOnSignal(log: Logger, steps: ShutdownStep[]): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        failed = true;
        log.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    log.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

/** Startup failures end the process with the reason, not an unhandled rejection trace. */
export function exitOnStartupFailure(log: Logger | null, error: unknown): never {
  if (log) log.fatal({ err: error }, 'failed to start');
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
