// `npm start`: set up what a fresh clone lacks, then run the whole product until Ctrl-C.
import { productEnv, startProduct } from './lib/product.mjs';
import { buildPortal, generatePrismaClient, installDependencies } from './lib/setup-steps.mjs';
import { Supervisor } from './lib/supervisor.mjs';

installDependencies();
generatePrismaClient();
buildPortal();
const env = productEnv({
  apiPort: Number(process.env.API_PORT || 4000),
  portalPort: Number(process.env.PORTAL_PORT || 3000),
  stripeFakePort: Number(process.env.STRIPE_FAKE_PORT || 4020),
  sageSandboxPort: Number(process.env.SAGE_SANDBOX_PORT || 4010),
});

const supervisor = new Supervisor({
  onUnexpectedExit: (name, code) => {
    console.error(`\n${name} stopped unexpectedly (${code}); stopping everything.`);
    void shutdown(1);
  },
});

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('\nStopping…');
  await supervisor.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const { urls, database } = await startProduct(supervisor, env);
  console.log(`
  Stripe ⇄ Sage sync is running (${database})

    Portal       ${urls.portal}
    API health   ${urls.health}
    Metrics      ${urls.metrics}
    Sage sandbox ${urls.sageSandbox}  (documents: ${urls.sageSandbox}/_sandbox/companies/demo-500/documents)
    Stripe fake  ${urls.stripeFake}  (the stripe SDK's host/port for the demo accounts)

    Sign in as   admin@demo.example  /  demo-admin-2026

  Ctrl-C stops everything.
`);
} catch (error) {
  console.error(`\n${error.message}`);
  await shutdown(1);
}
