// Prints the SQL that creates schema.prisma from nothing, or (with --from FILE) the SQL that turns
// the schema in FILE into schema.prisma. The Prisma 7 CLI cannot do this here (its schema engine is
// a download we cannot reach, and its migrate commands then silently do nothing); Prisma 6's
// WebAssembly engine can, given a driver adapter.
//
//   node tools/schema-to-sql.mjs                      > SQL for a new database
//   node tools/schema-to-sql.mjs --from old.prisma    > SQL for the next migration
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const prismaDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Prisma 6 wants a datasource url and no Prisma 7 generator options; the models are untouched. */
function toPrisma6Schema(text) {
  return text
    .replace(/generator\s+\w+\s*\{[^}]*\}/g, '')
    .replace(/(datasource\s+db\s*\{[^}]*provider\s*=\s*"postgresql")/, '$1\n  url = env("SCHEMA_SQL_UNUSED_URL")');
}

export function schemaToSql({ from } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-sql-'));
  try {
    const target = path.join(work, 'target.prisma');
    fs.writeFileSync(target, toPrisma6Schema(fs.readFileSync(path.join(prismaDir, 'schema.prisma'), 'utf8')));
    const fromArgs = ['--from-empty'];
    if (from) {
      const source = path.join(work, 'from.prisma');
      fs.writeFileSync(source, toPrisma6Schema(fs.readFileSync(from, 'utf8')));
      fromArgs.splice(0, 1, '--from-schema-datamodel', source);
    }
    const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('prisma-sql-generator/package.json'))), 'build', 'index.js');
    const result = spawnSync(
      process.execPath,
      [cli, 'migrate', 'diff', ...fromArgs, '--to-schema-datamodel', target, '--script', '--config', path.join(prismaDir, 'tools', 'prisma6.config.mjs')],
      {
        cwd: work,
        encoding: 'utf8',
        env: {
          ...process.env,
          SCHEMA_SQL_TARGET: target,
          SCHEMA_SQL_UNUSED_URL: 'postgresql://unused@127.0.0.1:1/unused',
          PRISMA_SCHEMA_ENGINE_BINARY: path.join(prismaDir, 'bin', 'schema-engine-stub'),
          PRISMA_QUERY_ENGINE_LIBRARY: path.join(prismaDir, 'bin', 'query-engine-stub.so.node'),
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    if (result.status !== 0) {
      throw new Error(`prisma migrate diff failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
    }
    return result.stdout;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const fromIndex = process.argv.indexOf('--from');
  process.stdout.write(schemaToSql({ from: fromIndex > 0 ? process.argv[fromIndex + 1] : undefined }));
}
