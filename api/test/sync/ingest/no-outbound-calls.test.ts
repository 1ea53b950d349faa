import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStripeTenant, deliver, startWebhookApi, stripeEvent, type WebhookApi } from './support/webhook-harness.ts';

type Connection = { host: string | undefined; port: number | undefined; path: string | undefined };

/** Every TCP or socket connection this process opens (http, https, fetch, pg all go through it). */
function recordConnections() {
  const connections: Connection[] = [];
  const original = net.Socket.prototype.connect;
  const spy = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    // net.connect() hands connect() its arguments already normalised, as one array.
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    if (typeof first === 'object' && first !== null) {
      const options = first as { host?: string; port?: number | string; path?: string };
      connections.push({ host: options.host, port: options.port === undefined ? undefined : Number(options.port), path: options.path });
    } else {
      connections.push({ host: typeof second === 'string' ? second : undefined, port: Number(first), path: undefined });
    }
    return (original as (...rest: unknown[]) => net.Socket).apply(this, args);
  });
  return { connections, restore: () => spy.mockRestore() };
}

describe('the ingest path', () => {
  let api: WebhookApi;
  beforeAll(async () => {
    api = await startWebhookApi();
  });
  afterAll(() => api.close());

  it('opens no connection to Stripe, Sage or anywhere else: only its own clients and its database', async () => {
    const platform = await createStripeTenant(api);
    const single = await createStripeTenant(api, { webhookSecret: 'whsec_single_account' });
    const serverPort = Number(new URL(api.url).port);
    const databasePort = process.env.DATABASE_URL ? Number(new URL(process.env.DATABASE_URL).port || 5432) : null;

    const recorder = recordConnections();
    try {
      const stored = stripeEvent({ account: platform.integration.sourceAccountId });
      const responses = [
        await deliver(api.url, stored.payload),
        await deliver(api.url, stored.payload),
        await deliver(api.url, stripeEvent({ account: 'acct_nobody' }).payload),
        await deliver(api.url, stripeEvent({ account: null }).payload, {
          secret: 'whsec_single_account',
          path: `/webhooks/stripe/${single.integration.id}`,
        }),
        ...(await Promise.all(Array.from({ length: 20 }, () => deliver(api.url, stripeEvent({ account: platform.integration.sourceAccountId }).payload)))),
      ];
      expect(responses.every((response) => response.status === 200)).toBe(true);
    } finally {
      recorder.restore();
    }

    // The recorder works: the test's own client had to connect to the server.
    expect(recorder.connections.some((connection) => connection.port === serverPort)).toBe(true);
    const outbound = recorder.connections.filter((connection) => connection.port !== serverPort && connection.port !== databasePort);
    expect(outbound).toEqual([]);
  });
});
