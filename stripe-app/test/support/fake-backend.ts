/**
 * The backend is a remote service to the extension, so tests stand in for it at `fetch`: each
 * route answers with a body the test chose, and every request is kept to be asserted on.
 */
export type BackendReply = { status?: number; body?: unknown; rawBody?: string } | 'network-error';

export type RecordedRequest = {
  url: string;
  route: string;
  method: string;
  headers: Record<string, string>;
  rawBody: string;
  body: Record<string, unknown>;
};

type RouteHandler = BackendReply | ((request: RecordedRequest) => BackendReply | Promise<BackendReply>);

export type FakeBackend = {
  requests: RecordedRequest[];
  requestsTo(route: string): RecordedRequest[];
  /** Replaces what a route answers from now on. */
  answer(route: string, handler: RouteHandler): void;
};

const originalFetch = globalThis.fetch;

export function restoreFetch(): void {
  globalThis.fetch = originalFetch;
}

export function stubBackend(routes: Record<string, RouteHandler>): FakeBackend {
  const handlers = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];

  globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const route = new URL(url).pathname;
    const rawBody = typeof init?.body === 'string' ? init.body : '';
    const request: RecordedRequest = {
      url,
      route,
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      rawBody,
      body: rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {},
    };
    requests.push(request);

    const handler = handlers.get(route);
    if (handler === undefined) {
      return new Response(JSON.stringify({ error: { code: 'not_found', message: `No stub for ${route}` } }), {
        status: 404,
      });
    }
    const reply = typeof handler === 'function' ? await handler(request) : handler;
    if (reply === 'network-error') throw new TypeError('fetch failed');
    return new Response(reply.rawBody ?? JSON.stringify(reply.body ?? {}), {
      status: reply.status ?? 200,
      headers: { 'Content-Type': 'application/json' },
    });
  }) as typeof fetch;

  return {
    requests,
    requestsTo: (route) => requests.filter((request) => request.route === route),
    answer: (route, handler) => handlers.set(route, handler),
  };
}

/** A reply the test releases when it is ready, to observe the view while a request is in flight. */
export function deferredReply(): { handler: () => Promise<BackendReply>; resolve: (reply: BackendReply) => void } {
  let release: (reply: BackendReply) => void = () => undefined;
  const pending = new Promise<BackendReply>((resolve) => {
    release = resolve;
  });
  return { handler: () => pending, resolve: (reply) => release(reply) };
}

/**
 * Flushes pending work (the SDK testing module's `update`) until `condition` holds; for chains of
 * requests, such as a Resync followed by a reload of the status.
 */
export async function until(update: () => Promise<void>, condition: () => boolean, flushes = 10): Promise<void> {
  for (let flush = 0; flush < flushes; flush += 1) {
    if (condition()) return;
    await update();
  }
  if (!condition()) throw new Error(`condition still false after ${flushes} flushes`);
}

/**
 * Flushes a freshly rendered view until its first load has settled (no spinner left), so a test
 * never races the stubbed backend on a busy machine. A reply held back on purpose (deferredReply)
 * keeps its spinner: then this returns after the bounded number of flushes, still loading.
 */
export async function settle<R extends { update(): Promise<void>; wrapper: { findAll(type: never): unknown[] } }>(rendered: R, spinner: unknown, flushes = 20): Promise<R> {
  await rendered.update();
  for (let flush = 0; flush < flushes && rendered.wrapper.findAll(spinner as never).length > 0; flush += 1) {
    await rendered.update();
  }
  return rendered;
}
