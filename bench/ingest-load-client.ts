// The load generator of the ingest bench, in its own worker thread: it signs and sends webhooks
// the way Stripe would, over loopback HTTP with keep-alive connections, so its own work does not
// run on the api server's event loop (in production the sender is Stripe, on another machine).
import http from 'node:http';
import { parentPort } from 'node:worker_threads';
import Stripe from 'stripe';

export type LoadRequest = {
  url: string;
  path: string;
  secret: string;
  bodies: string[];
  concurrency: number;
  maxSeconds: number;
};

export type LoadReport = {
  /** Per delivery sent, in completion order: which body, how long, the status, and the `duplicate` flag (-1 unknown). */
  indexes: Int32Array;
  latenciesMs: Float64Array;
  statuses: Int16Array;
  duplicates: Int8Array;
  seconds: number;
};

function post(agent: http.Agent, target: URL, path: string, secret: string, body: string) {
  // Signed at send time, as Stripe does: the timestamp is part of what is verified.
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
  return new Promise<{ ms: number; status: number; duplicate: number }>((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const ms = performance.now() - started;
          let duplicate = -1;
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { duplicate?: boolean };
            if (typeof parsed.duplicate === 'boolean') duplicate = parsed.duplicate ? 1 : 0;
          } catch {
            duplicate = -1;
          }
          resolve({ ms, status: response.statusCode ?? 0, duplicate });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends the bodies with `concurrency` requests in flight, stopping early after maxSeconds. */
export async function sendLoad(load: LoadRequest): Promise<LoadReport> {
  const target = new URL(load.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.concurrency });
  const total = load.bodies.length;
  const report: LoadReport = {
    indexes: new Int32Array(total),
    latenciesMs: new Float64Array(total),
    statuses: new Int16Array(total),
    duplicates: new Int8Array(total),
    seconds: 0,
  };
  let next = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + load.maxSeconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: load.concurrency }, async () => {
        while (next < total && performance.now() < deadline) {
          const index = next++;
          const result = await post(agent, target, load.path, load.secret, load.bodies[index] as string);
          report.indexes[done] = index;
          report.latenciesMs[done] = result.ms;
          report.statuses[done] = result.status;
          report.duplicates[done] = result.duplicate;
          done += 1;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  report.seconds = (performance.now() - started) / 1000;
  return {
    indexes: report.indexes.slice(0, done),
    latenciesMs: report.latenciesMs.slice(0, done),
    statuses: report.statuses.slice(0, done),
    duplicates: report.duplicates.slice(0, done),
    seconds: report.seconds,
  };
}

parentPort?.on('message', (load: LoadRequest) => {
  sendLoad(load).then(
    (report) => parentPort?.postMessage({ ok: true, report }),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
  );
});
