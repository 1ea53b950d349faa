// Run by `npm start` and `npm test` before any process starts: migrates the database (embedded or
// DATABASE_URL), seeds the demo organization unless --no-seed, and in the embedded default makes
// sure the generated dev secrets exist in DATA_DIR/dev-secrets.json for the processes to share.
import { openDatabase } from '../database.ts';
import { applyMigrations } from '../migrations/apply-migrations.ts';
import { resolveDatabaseTarget, resolveKeyring } from '../runtime-config.ts';
import { seedDemo } from '../seed/seed-demo.ts';

const keyring = resolveKeyring(process.env);
const target = resolveDatabaseTarget(process.env);
const db = await openDatabase(target);
try {
  const { applied } = await applyMigrations(db);
  if (applied.length) console.log(`Applied ${applied.length} migration(s) to the ${db.kind === 'pglite' ? 'embedded' : 'PostgreSQL'} database.`);
  if (!process.argv.includes('--no-seed')) {
    const seeded = await seedDemo(db, { keyring, ...(process.env.SAGE_SANDBOX_URL ? { sageUrl: process.env.SAGE_SANDBOX_URL } : {}) });
    if (seeded.created) console.log('Seeded the demo organization.');
  }
} finally {
  await db.close();
}
