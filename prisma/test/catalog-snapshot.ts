import type { Database } from '../src/database.ts';

/** Everything about the public schema that Prisma's models decide, in a comparable form. */
export async function catalogSnapshot(db: Database) {
  const columns = await db.query(`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
           character_maximum_length, numeric_precision, datetime_precision
      FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_app_migrations'
     ORDER BY table_name, column_name`);
  const indexes = await db.query(`
    SELECT tablename, indexname, indexdef FROM pg_indexes
     WHERE schemaname = 'public' AND tablename <> '_app_migrations'
     ORDER BY tablename, indexname`);
  const constraints = await db.query(`
    SELECT rel.relname AS table_name, con.conname, con.contype, pg_get_constraintdef(con.oid) AS definition
      FROM pg_constraint con
      JOIN pg_class rel ON rel.oid = con.conrelid
      JOIN pg_namespace ns ON ns.oid = rel.relnamespace
     WHERE ns.nspname = 'public' AND rel.relname <> '_app_migrations'
     ORDER BY rel.relname, con.conname`);
  const enums = await db.query(`
    SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
      FROM pg_type t
      JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace ns ON ns.oid = t.typnamespace
     WHERE ns.nspname = 'public'
     GROUP BY t.typname ORDER BY t.typname`);
  return { columns, indexes, constraints, enums };
}
