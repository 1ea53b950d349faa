// Config for the Prisma 6 CLI (package alias `prisma-sql-generator`), used only to turn
// schema.prisma into SQL offline. Prisma 6 with the "js" engine needs a driver adapter even to
// diff from nothing; an in-memory PGlite serves, so no database server is needed.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter-prisma6';

export default {
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPGlite(new PGlite()),
  schema: process.env.SCHEMA_SQL_TARGET,
};
