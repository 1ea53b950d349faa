import type { IncomingHttpHeaders } from 'node:http';
import type { PrismaClient } from '@sagesync/db';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { resolveSession, type Session } from '../auth/resolve-session.ts';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';

export type { Session } from '../auth/resolve-session.ts';

/** What every procedure receives. The database is injected, never imported, so tests bring their own. */
export type Context = {
  db: PrismaClient;
  log: Logger;
  requestId: string;
  session: Session | null;
  headers: IncomingHttpHeaders;
  /** PORTAL_URL's origin: the only browser Origin allowed to send mutations. */
  portalOrigin: string;
  /** The job queue, for procedures that hand work to the worker (resync, backfill). */
  boss: Queue | null;
};

export type ContextDependencies = {
  prisma: PrismaClient;
  sessionSecret: string;
  portalOrigin: string;
  boss?: Queue | null;
};

export function createContextFactory({ prisma, sessionSecret, portalOrigin, boss = null }: ContextDependencies) {
  return async function createContext({ req }: CreateFastifyContextOptions): Promise<Context> {
    return {
      db: prisma,
      // Fastify's per-request child of our pino logger, already bound to the request id.
      log: req.log as Logger,
      requestId: String(req.id),
      session: await resolveSession(prisma, req.headers.cookie, sessionSecret),
      headers: req.headers,
      portalOrigin,
      boss,
    };
  };
}
