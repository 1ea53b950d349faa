import type { Integration, PrismaClient } from '@sagesync/db';

// An integration's settings change rarely (its Sage connection, GL rules and active field mappings)
// but every job reads them: three queries, a credential decrypt and a new connector per object. So
// they are kept in memory and reused while they are unchanged. Whether they are unchanged is asked
// once per job, in one small query: the database hashes each setting's rows (`md5(row(...)::text)`,
// every column), so any edit, a new mapping version, a deleted rule or a reconnected Sage gives a
// new digest, and the next job reloads what changed. An edit therefore applies to the very next
// job, exactly as when every job read the rows itself ("fix the mapping, then resync" works).

const DIGESTS_SQL = `
SELECT
  (SELECT md5(row(c.*)::text) FROM "connections" c WHERE c."integrationId" = $1 AND c."provider"::text = $2) AS "connection",
  (SELECT md5(coalesce(string_agg(row(r.*)::text, ',' ORDER BY r."position", r."id"), ''))
     FROM "gl_rules" r WHERE r."integrationId" = $1 AND r."orgId" = $3) AS "glRules",
  (SELECT md5(coalesce(string_agg(row(m.*)::text, ',' ORDER BY m."id"), ''))
     FROM "field_mappings" m WHERE m."integrationId" = $1 AND m."orgId" = $3 AND m."isActive") AS "fieldMappings"`;

type Digests = { connection: string | null; glRules: string; fieldMappings: string };

/**
 * A job reads its integration once, at its start, so "once per job" is "once per integration
 * object". An object held for longer (a caller that keeps one) is checked again after this long.
 */
const CHECK_VALID_MS = 1_000;

type Entry<T> = { digest: string; value: Promise<T> };

export class IntegrationSettingsCache {
  private readonly checks = new WeakMap<Integration, { at: number; digests: Promise<Digests> }>();
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly connectors = new WeakMap<object, Map<string, Entry<unknown>>>();

  constructor(
    private readonly db: PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The integration's Sage connector from `factory`, rebuilt when its connection row (or the
   * integration's Sage settings) changed. Kept per factory: a connector carries its factory's rate
   * budget, so two sets of services on one database never hand each other their connectors.
   */
  sageConnector<T>(factory: object, integration: Integration, build: () => Promise<T>): Promise<T> {
    let entries = this.connectors.get(factory);
    if (!entries) {
      entries = new Map();
      this.connectors.set(factory, entries);
    }
    const identity = [integration.sageEdition, integration.sageCompanyId, integration.homeCurrency].join('\u0000');
    return this.cached(entries, integration, integration.id, (digests) => (digests.connection === null ? null : `${digests.connection}\u0000${identity}`), build);
  }

  glRules<T>(integration: Integration, load: () => Promise<T>): Promise<T> {
    return this.cached(this.entries, integration, `gl-rules:${integration.id}`, (digests) => digests.glRules, load);
  }

  fieldMapping<T>(integration: Integration, documentType: string, load: () => Promise<T>): Promise<T> {
    return this.cached(this.entries, integration, `mapping:${integration.id}:${documentType}`, (digests) => digests.fieldMappings, load);
  }

  private async cached<T>(
    entries: Map<string, Entry<unknown>>,
    integration: Integration,
    key: string,
    digestOf: (digests: Digests) => string | null,
    load: () => Promise<T>,
  ): Promise<T> {
    const digest = digestOf(await this.digests(integration));
    // No row to fingerprint (no connection yet): nothing to reuse, and the loader says why.
    if (digest === null) return load();
    const entry = entries.get(key) as Entry<T> | undefined;
    if (entry && entry.digest === digest) return entry.value;
    const value = load();
    const fresh: Entry<T> = { digest, value };
    entries.set(key, fresh);
    // A failed load is not kept: the next job tries again.
    value.catch(() => {
      if (entries.get(key) === fresh) entries.delete(key);
    });
    return value;
  }

  private digests(integration: Integration): Promise<Digests> {
    const now = this.now();
    const checked = this.checks.get(integration);
    if (checked && now - checked.at < CHECK_VALID_MS) return checked.digests;
    const digests = this.db
      .$queryRawUnsafe<Digests[]>(DIGESTS_SQL, integration.id, integration.sageEdition, integration.orgId)
      .then(([row]) => row ?? { connection: null, glRules: '', fieldMappings: '' });
    this.checks.set(integration, { at: now, digests });
    digests.catch(() => {
      if (this.checks.get(integration)?.digests === digests) this.checks.delete(integration);
    });
    return digests;
  }
}

const caches = new WeakMap<PrismaClient, IntegrationSettingsCache>();

/** One cache per database client, shared by the sync services and the processors that run on it. */
export function integrationSettingsCache(db: PrismaClient): IntegrationSettingsCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new IntegrationSettingsCache(db);
    caches.set(db, cache);
  }
  return cache;
}
