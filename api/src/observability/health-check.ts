export type CheckResult<T extends object> = ({ ok: true } & T & { latencyMs: number }) | { ok: false; error: string; latencyMs: number };

/**
 * Runs one health probe with a deadline: a database that hangs must turn /healthz into a 503,
 * not into a request that never answers.
 */
export async function timedCheck<T extends object>(probe: () => Promise<T>, timeoutMs = 2_000): Promise<CheckResult<T>> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const details = await Promise.race([probe(), deadline]);
    return { ok: true, ...details, latencyMs: elapsed() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error), latencyMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}
