// Generates the Prisma client offline. The CLI wants its schema engine even for `generate`;
// an empty stand-in keeps it from trying to download one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Call Prisma 7's CLI by path: `node_modules/.bin/prisma` may be the Prisma 6 alias that
// tools/schema-to-sql.mjs uses, and that one would try to download a query engine.
const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('prisma/package.json'))), 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], {
  cwd: dir,
  stdio: process.argv.includes('--quiet') ? 'pipe' : 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(dir, 'bin', 'schema-engine-stub'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
if (result.status !== 0) {
  if (result.stderr) process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
