import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { demoCompanies } from './demo-companies.ts';
import { installCommitThenDrop, type SandboxContext } from './dialect-kit.ts';
import { registerSage500Dialect } from './dialect-sage500.ts';
import { registerSage50Dialect } from './dialect-sage50.ts';
import { registerSageAccountingDialect } from './dialect-sage-accounting.ts';
import { registerSageProDialect } from './dialect-sage-pro.ts';
import { FaultInjector } from './fault-injection.ts';
import { createSandboxFileWriter, readSandboxFile } from './file-persistence.ts';
import { registerInspectionRoutes } from './inspection-routes.ts';
import type { Company } from './ledger-model.ts';
import { LedgerStore } from './ledger-store.ts';
import { OAuthAuthority, registerOAuthRoutes, type OAuthClient } from './oauth-server.ts';

// One local server that speaks Sage 500, Sage Pro, Sage 50 and Sage Accounting over one shared
// ledger, so the connectors can be run end to end with no Sage host. See README.md beside it.

export type SageSandboxOptions = {
  /** The clock for token expiry, rate windows and timestamps; tests move it instead of sleeping. */
  now?: () => number;
  /** Picks which requests the error and timeout shares hit. */
  random?: () => number;
  /** How injected latency waits. */
  sleep?: (ms: number) => Promise<void>;
  /** JSON file to load from and save to; in memory only when absent. */
  dataFile?: string;
  accessTokenTtlSeconds?: number;
  /** Companies to start with when there is no data file; the four demo companies by default. */
  companies?: Company[];
  oauthClients?: OAuthClient[];
  /** A pino logger for request logs; silent when absent. */
  logger?: FastifyBaseLogger;
};

export type SageSandbox = {
  app: FastifyInstance;
  store: LedgerStore;
  faults: FaultInjector;
  oauth: OAuthAuthority;
  /** Starts listening (port 0 picks a free one) and gives the base URL, e.g. http://127.0.0.1:4010. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
};

export function buildSageSandbox(options: SageSandboxOptions = {}): SageSandbox {
  const now = options.now ?? Date.now;
  const saved = options.dataFile ? readSandboxFile(options.dataFile) : undefined;
  const initialCompanies = () => options.companies ?? demoCompanies();

  const store = saved ? LedgerStore.fromSnapshot(saved.ledger, { now }) : new LedgerStore(initialCompanies(), { now });
  const oauth = new OAuthAuthority({ now, accessTokenTtlSeconds: options.accessTokenTtlSeconds, clients: options.oauthClients });
  if (saved) oauth.restore(saved.oauth);
  const faults = new FaultInjector({ now, random: options.random, sleep: options.sleep });

  const writer = options.dataFile ? createSandboxFileWriter(options.dataFile, () => ({ ledger: store.snapshot(), oauth: oauth.snapshot() })) : null;
  if (writer) {
    const persist = () => writer.schedule();
    // Swapped in after loading, so loading itself does not write.
    store.onChange = persist;
    oauth.onChange = persist;
  }

  // forceCloseConnections: a client that gave up on a slow answer can leave an idle keep-alive
  // socket behind, and close() would otherwise wait for it.
  const app = Fastify({ loggerInstance: options.logger, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  const ctx: SandboxContext = { store, faults, oauth };
  installCommitThenDrop(app, faults);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/', async () => ({
    name: 'Sage sandbox',
    dialects: {
      sage500: '/sage500/<company>/Sage500API/... (X-Api-Key)',
      sage_pro: '/sagepro/<company>/api/v1/... (Bearer; OAuth at /sagepro/oauth/authorize and /sagepro/oauth/token)',
      sage50: '/sage50/<company>/v1/... (Bearer; OAuth at /sage50/oauth/authorize and /sage50/oauth/token)',
      sage_accounting: '/sageaccounting/core/v3.1/... (Bearer + X-Business; OAuth at /sageaccounting/oauth/authorize and /sageaccounting/oauth/token)',
    },
    inspection: '/_sandbox/companies',
  }));

  const companyIdsOf = (dialect: Company['dialect']) => () => store.listCompanies().filter((company) => company.dialect === dialect).map((company) => company.id);
  registerOAuthRoutes(app, oauth, { dialect: 'sage_pro', prefix: '/sagepro', companyIds: companyIdsOf('sage_pro') });
  registerOAuthRoutes(app, oauth, { dialect: 'sage50', prefix: '/sage50', companyIds: companyIdsOf('sage50') });
  registerOAuthRoutes(app, oauth, { dialect: 'sage_accounting', prefix: '/sageaccounting', companyIds: companyIdsOf('sage_accounting') });

  registerSage500Dialect(app, ctx);
  registerSageProDialect(app, ctx);
  registerSage50Dialect(app, ctx);
  registerSageAccountingDialect(app, ctx);
  registerInspectionRoutes(app, {
    store,
    faults,
    resetToDemo: () => {
      store.replaceCompanies(initialCompanies());
      faults.clearAll();
    },
  });

  return {
    app,
    store,
    faults,
    oauth,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
    async close() {
      // Held (timed-out) sockets would keep close() waiting forever.
      faults.releaseHeld();
      await app.close();
      writer?.flush();
    },
  };
}
