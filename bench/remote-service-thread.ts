// The Sage sandbox or the Stripe fake of the sync bench, in a worker thread of its own. In
// production both are other machines: hosted on the worker's own event loop, every request they
// answer would be CPU taken from the sync being measured (and would hide how much each costs).
// The bench drives the thread through a few named calls (faults, counts, documents) over its port.
import { parentPort, workerData } from 'node:worker_threads';
import { buildSageSandbox } from '../api/src/sandbox/sage/sage-sandbox-server.ts';
import type { FaultSettingsInput } from '../api/src/sandbox/sage/fault-injection.ts';
import { buildStripeFake } from '../api/src/sandbox/stripe-fake/stripe-fake-server.ts';
import { threadCpuMs } from './cpu-time.ts';

export type RemoteServiceKind = 'sage-sandbox' | 'stripe-fake';
export type RemoteCall = { id: number; method: string; args: unknown[] };
export type RemoteAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/**
 * What the Sage sandbox's fault gate let through and refused since the last reset; `first` is the
 * time of the first request and `firstRateLimited` of the first 429 (0: none yet).
 */
export type GateCounts = { proceed: number; rateLimited: number; first: number; firstRateLimited: number };

type Methods = Record<string, (...args: never[]) => unknown>;

async function sageSandboxMethods(): Promise<{ url: string; methods: Methods; close(): Promise<void> }> {
  const sandbox = buildSageSandbox({ now: Date.now });
  const url = await sandbox.listen(0);
  // Every Sage API request passes the fault gate once: count what it let through and what it refused.
  const counts: GateCounts = { proceed: 0, rateLimited: 0, first: 0, firstRateLimited: 0 };
  const gate = sandbox.faults.gate.bind(sandbox.faults);
  sandbox.faults.gate = async (companyId, defaultLimit) => {
    const outcome = await gate(companyId, defaultLimit);
    if (counts.first === 0) counts.first = Date.now();
    if (outcome.kind === 'rate_limited') {
      counts.rateLimited += 1;
      if (counts.firstRateLimited === 0) counts.firstRateLimited = Date.now();
    } else counts.proceed += 1;
    return outcome;
  };
  // What kind of requests those were: method and path (the query string, which names the record, dropped).
  const byRoute: Record<string, number> = {};
  sandbox.app.server.on('request', (request: { method?: string; url?: string }) => {
    const route = `${request.method ?? '?'} ${(request.url ?? '').split('?')[0]}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  });
  // New TCP connections: few and flat while clients keep theirs alive.
  let connections = 0;
  sandbox.app.server.on('connection', () => {
    connections += 1;
  });
  return {
    url,
    close: () => sandbox.close(),
    methods: {
      requestsByRoute: () => ({ ...byRoute }),
      connectionCount: () => connections,
      resetRequestsByRoute: () => {
        for (const route of Object.keys(byRoute)) delete byRoute[route];
      },
      configureFaults: (companyId: string, settings: FaultSettingsInput) => void sandbox.faults.configure(companyId, settings),
      clearFaults: (companyId: string) => sandbox.faults.clear(companyId),
      gateCounts: () => ({ ...counts }),
      resetGateCounts: () => void Object.assign(counts, { proceed: 0, rateLimited: 0, first: 0, firstRateLimited: 0 }),
      documentCount: (companyId: string) => sandbox.store.findDocuments(companyId, {}).length,
      /** How many documents carry each reference (the Stripe id they were posted for). */
      documentsByReference: (companyId: string) => {
        const byReference: Record<string, number> = {};
        for (const document of sandbox.store.findDocuments(companyId, {})) {
          const reference = (document as { reference?: string }).reference;
          if (reference) byReference[reference] = (byReference[reference] ?? 0) + 1;
        }
        return byReference;
      },
    },
  };
}

async function stripeFakeMethods(): Promise<{ url: string; methods: Methods; close(): Promise<void> }> {
  const fake = buildStripeFake();
  const { url } = await fake.listen(0);
  // Every HTTP request it answers (the bench's own loads under /_fake included; it counts around them).
  let requests = 0;
  let connections = 0;
  fake.app.server.on('request', () => {
    requests += 1;
  });
  fake.app.server.on('connection', () => {
    connections += 1;
  });
  return { url, close: () => fake.close(), methods: { requestCount: () => requests, connectionCount: () => connections } };
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('remote-service-thread.ts runs only as a worker thread');
  const kind = (workerData as { kind: RemoteServiceKind }).kind;
  const service = kind === 'sage-sandbox' ? await sageSandboxMethods() : await stripeFakeMethods();
  const methods: Methods = { ...service.methods, cpuMs: () => threadCpuMs(), close: () => service.close() };
  port.on('message', async (call: RemoteCall) => {
    try {
      const method = methods[call.method];
      if (!method) throw new Error(`${kind} has no bench call "${call.method}"`);
      const value = await (method as (...args: unknown[]) => unknown)(...call.args);
      port.postMessage({ id: call.id, ok: true, value } satisfies RemoteAnswer);
    } catch (error) {
      port.postMessage({ id: call.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RemoteAnswer);
    }
  });
  port.postMessage({ ready: service.url });
}

await serve();
