import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, MigrationChecksumError, readMigrations } from '../src/migrations/apply-migrations.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.ts';
// @ts-expect-error: a plain .mjs tool without type declarations
import { schemaToSql } from '../tools/schema-to-sql.mjs';
import { catalogSnapshot } from './catalog-snapshot.ts';

const open: TestDatabase[] = [];
async function emptyDatabase() {
  const db = await createTestDatabase({ migrate: false });
  open.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.dispose()));
});

describe('migrations', () => {
  it('apply every migration to an empty database, and a second run applies nothing', async () => {
    const db = await emptyDatabase();
    const first = await applyMigrations(db);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    expect(first.applied.length).toBeGreaterThan(0);

    const second = await applyMigrations(db);
    expect(second.applied).toEqual([]);
    const recorded = await db.query<{ name: string }>('SELECT name FROM "_app_migrations" ORDER BY name');
    expect(recorded.map((r) => r.name)).toEqual(first.applied);
  });

  it('produce exactly the schema that schema.prisma describes', async () => {
    const migrated = await emptyDatabase();
    await applyMigrations(migrated);

    // The reference: SQL generated from schema.prisma right now, applied to another empty database.
    const fromSchema = await emptyDatabase();
    await fromSchema.exec(schemaToSql());

    const actual = await catalogSnapshot(migrated);
    const expected = await catalogSnapshot(fromSchema);
    expect(actual.enums).toEqual(expected.enums);
    expect(actual.columns).toEqual(expected.columns);
    expect(actual.indexes).toEqual(expected.indexes);
    expect(actual.constraints).toEqual(expected.constraints);
    expect(actual.columns.length).toBeGreaterThan(100);
  });

  it('refuse to run when an applied migration was edited afterwards', async () => {
    const db = await emptyDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      await applyMigrations(db, dir);
      const [first] = readMigrations(dir);
      fs.appendFileSync(path.join(dir, first!.name, 'migration.sql'), '\n-- edited after the fact\n');
      await expect(applyMigrations(db, dir)).rejects.toBeInstanceOf(MigrationChecksumError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply a new migration once when two migrators race', async () => {
    const db = await emptyDatabase();
    await applyMigrations(db);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      fs.mkdirSync(path.join(dir, '29991231000000_probe'));
      fs.writeFileSync(path.join(dir, '29991231000000_probe', 'migration.sql'), 'CREATE TABLE "probe" ("id" INT PRIMARY KEY);');
      const results = await Promise.all([applyMigrations(db, dir), applyMigrations(db, dir)]);
      expect(results.flatMap((r) => r.applied)).toEqual(['29991231000000_probe']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
