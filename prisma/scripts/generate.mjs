// Generates the Prisma client offline. The CLI wants its schema engine even for `generate`;
// an empty stand-in keeps it from trying to download one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], {
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
