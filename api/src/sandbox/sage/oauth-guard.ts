import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendFailure, type DialectErrorStyle } from './dialect-kit.ts';
import type { OAuthAuthority, OAuthDialect } from './oauth-server.ts';

const REASON_TEXT = { missing: 'An access token is required', invalid: 'The access token is invalid', expired: 'The access token expired' } as const;

/** Checks the bearer token; answers 401 with the RFC 6750 challenge when it is missing, wrong or expired. */
export function requireAccessToken(oauth: OAuthAuthority, dialect: OAuthDialect, request: FastifyRequest, reply: FastifyReply, style: DialectErrorStyle): boolean {
  const verified = oauth.verifyAccessToken(dialect, request.headers.authorization);
  if (verified.ok) return true;
  const challenge = verified.reason === 'missing' ? 'Bearer realm="sage"' : `Bearer realm="sage", error="invalid_token", error_description="${REASON_TEXT[verified.reason]}"`;
  reply.header('www-authenticate', challenge);
  sendFailure(reply, style, 'unauthorized', REASON_TEXT[verified.reason]);
  return false;
}
