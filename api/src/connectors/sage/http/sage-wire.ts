import http from 'node:http';
import https from 'node:https';

// How one request reaches Sage and its answer comes back, below auth, budgets and error mapping
// (sage-http-client.ts). By default through node:http with keep-alive agents shared by every
// connector of the process: measured against the sandbox on our machines, a request costs the
// client about a quarter of the CPU the built-in fetch spends (no web streams, no Request and
// Response objects) and answers in about a third of the time. A caller that passes its own
// `fetch` (tests that record or break requests) gets the fetch path, with the same results.

export type WireRequest = { method: string; headers: Headers; body: string | undefined; timeoutMs: number };
export type WireAnswer = { status: number; headers: Headers; text: string };
export type Wire = (url: URL, request: WireRequest) => Promise<WireAnswer>;

/** Sage did not answer in time; the client maps it to SAGE_TIMEOUT like fetch's TimeoutError. */
export class WireTimeoutError extends Error {
  override readonly name = 'WireTimeoutError';
}

// Sockets idle longer than this are closed by us, before a server that keeps idle connections for
// a few seconds closes them under a request we are sending (which would fail as a network error).
const IDLE_SOCKET_MS = 4_000;
const AGENT_OPTIONS = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' } as const;
const agents = { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) };

function answerHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else headers.set(name, value);
  }
  return headers;
}

export const nodeHttpWire: Wire = (url, request) =>
  new Promise<WireAnswer>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const outgoing = (secure ? https : http).request(url, { method: request.method, headers, agent: secure ? agents.https : agents.http }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        settle(() => resolve({ status: incoming.statusCode ?? 0, headers: answerHeaders(incoming.headers), text: Buffer.concat(chunks).toString('utf8') })),
      );
      incoming.on('error', (error) => settle(() => reject(error)));
      // A connection cut mid-answer ends without 'end': it is a lost answer, not an empty one.
      incoming.on('close', () => settle(() => reject(Object.assign(new Error('Sage closed the connection before its answer ended'), { code: 'ECONNRESET' }))));
    });
    // One deadline for the whole exchange (connect, send, answer), as fetch's AbortSignal.timeout.
    const timer = setTimeout(() => outgoing.destroy(new WireTimeoutError(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    outgoing.on('error', (error) => settle(() => reject(error)));
    outgoing.end(request.body);
  });

export function fetchWire(fetchImpl: typeof fetch): Wire {
  return async (url, request) => {
    const response = await fetchImpl(url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(request.timeoutMs) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}
