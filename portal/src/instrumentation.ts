// Runs once when the server starts: a missing or bad variable stops the portal at boot, loudly,
// instead of failing the first sign-in. Next only logs a throw from here and keeps serving, so
// exit ourselves and let the supervisor see it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getServerEnv } = await import('./server/env');
  try {
    getServerEnv();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
