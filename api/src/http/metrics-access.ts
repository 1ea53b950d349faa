import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

// `/metrics` names tenants' queues, routes and error counts: not for the open internet. With
// METRICS_TOKEN set, a scraper sends it as a bearer token from anywhere; without it, only this
// machine may read (the api listens on loopback by default, so a local Prometheus or a sidecar).

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type MetricsRefusal = { status: 401 | 403; code: string; message: string };

export function checkMetricsAccess(request: Pick<FastifyRequest, 'headers' | 'ip'>, token: string | null): MetricsRefusal | null {
  if (token !== null) {
    const header = request.headers.authorization;
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    return sameSecret(given, token)
      ? null
      : { status: 401, code: 'METRICS_TOKEN_REQUIRED', message: 'Send the METRICS_TOKEN as "Authorization: Bearer <token>" to read /metrics.' };
  }
  return LOOPBACK.has(request.ip)
    ? null
    : { status: 403, code: 'METRICS_LOOPBACK_ONLY', message: '/metrics is served to this machine only; set METRICS_TOKEN to let a scraper elsewhere read it.' };
}

export function metricsAccessHook(token: string | null) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = checkMetricsAccess(request, token);
    if (!refusal) return;
    request.log.warn({ refusal: refusal.code, ip: request.ip }, 'metrics read refused');
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
  };
}
