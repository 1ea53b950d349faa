/**
 * Points stripe-app.json at the backend for one environment, before `stripe apps upload`:
 *   STRIPE_APP_BACKEND_URL=https://sync.example.com npm run manifest -w @sagesync/stripe-app
 * With `--check` it changes nothing and exits 1 when the manifest does not match.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { backendUrlFromEnv } from '../src/config/backend-url';
import { withBackendUrl } from './manifest-backend-url';

const manifestPath = path.resolve(__dirname, '..', 'stripe-app.json');
const current = readFileSync(manifestPath, 'utf8');
const backendUrl = backendUrlFromEnv(process.env);
const next = `${JSON.stringify(withBackendUrl(JSON.parse(current), backendUrl), null, 2)}\n`;

if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error(`stripe-app.json does not point at ${backendUrl}; run "npm run manifest" to update it.`);
    process.exit(1);
  }
  console.log(`stripe-app.json points at ${backendUrl}.`);
} else {
  writeFileSync(manifestPath, next);
  console.log(`stripe-app.json now points at ${backendUrl}.`);
}
