// `npm run secrets:rewrap`: after rotating APP_ENCRYPTION_KEY (old key moved to
// APP_ENCRYPTION_OLD_KEYS), re-seals every secret under the new key. Safe to run again.
import { openDatabase } from '../database.ts';
import { resolveDatabaseTarget, resolveKeyring } from '../runtime-config.ts';
import { rewrapAllSecrets } from '../secrets/secret-columns.ts';

const keyring = resolveKeyring(process.env);
const db = await openDatabase(resolveDatabaseTarget(process.env));
try {
  const report = await rewrapAllSecrets(db, keyring);
  console.log(`Examined ${report.examined} secret(s); re-sealed ${report.rewrapped} under key "${keyring.current.id}".`);
  console.log('Old keys can leave APP_ENCRYPTION_OLD_KEYS once a run re-seals 0.');
} finally {
  await db.close();
}
