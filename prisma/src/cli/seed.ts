// `npm run db:seed`: migrates, then seeds the demo organization (idempotent).
import { openDatabase } from '../database.ts';
import { applyMigrations } from '../migrations/apply-migrations.ts';
import { resolveDatabaseTarget, resolveKeyring } from '../runtime-config.ts';
import { DEMO_ADMIN_EMAIL, seedDemo } from '../seed/seed-demo.ts';

const keyring = resolveKeyring(process.env);
const db = await openDatabase(resolveDatabaseTarget(process.env));
try {
  await applyMigrations(db);
  const result = await seedDemo(db, { keyring });
  console.log(result.created ? `Seeded the demo organization (admin ${DEMO_ADMIN_EMAIL}).` : 'Demo organization already present.');
} finally {
  await db.close();
}
