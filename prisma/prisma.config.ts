import { defineConfig } from 'prisma/config';

// The CLI is used for `generate` only: migrations are SQL files applied by src/migrations/.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
});
