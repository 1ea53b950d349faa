// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { openDatabase } from '../database.ts';
import { applyMigrations } from '../migrations/apply-migrations.ts';
import { resolveDatabaseTarget } from '../runtime-config.ts';

const db = await openDatabase(resolveDatabaseTarget(process.env));
try {
  const { applied } = await applyMigrations(db);
  console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await db.close();
}
