import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_BACKEND_URL, connectSrcFor } from '../src/config/backend-url';
import { withBackendUrl } from '../scripts/manifest-backend-url';

const appDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(appDir, '..');
// Stripe's schema lives in the read-only shared/ folder beside the checkout (../shared from the
// repository root); a checkout that carries shared/ inside it works too.
const schemaPath =
  [path.resolve(repoRoot, '..', 'shared'), path.resolve(repoRoot, 'shared')]
    .map((dir) => path.join(dir, 'stripe-app.schema.json'))
    .find((candidate) => existsSync(candidate)) ?? path.resolve(repoRoot, '..', 'shared', 'stripe-app.schema.json');

type ManifestView = { viewport: string; component: string };
const manifest = JSON.parse(readFileSync(path.join(appDir, 'stripe-app.json'), 'utf8'));

function validatorFor(schema: object) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  // Editor annotations in Stripe's schema, not validation keywords.
  ajv.addVocabulary(['markdownDescription']);
  // The schema names draft-07 without the trailing '#', which Ajv does not know by that id.
  const { $schema: _draft, ...rest } = schema as { $schema?: string };
  return ajv.compile(rest);
}

describe('stripe-app.json', () => {
  it("validates against Stripe's published manifest schema", () => {
    const validate = validatorFor(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is rejected by the same schema when broken (the check can fail)', () => {
    const validate = validatorFor(JSON.parse(readFileSync(schemaPath, 'utf8')));
    expect(validate({ ...manifest, permissions: [{ permission: 'charge_read' }] })).toBe(false);
    expect(validate({ ...manifest, icon: 'icon.svg' })).toBe(false);
  });

  it('declares the four views, each a default-exported component in src/views', () => {
    const views: ManifestView[] = manifest.ui_extension.views;
    expect(views.map((view) => view.viewport).sort()).toEqual(
      ['settings', 'stripe.dashboard.balance.overview', 'stripe.dashboard.drawer.default', 'stripe.dashboard.payment.detail'],
    );
    for (const view of views) {
      const file = path.join(appDir, 'src', 'views', `${view.component}.tsx`);
      expect(existsSync(file)).toBe(true);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const component: unknown = require(file).default;
      expect(typeof component).toBe('function');
    }
  });

  it('ships its 300×300 PNG icon', () => {
    const png = readFileSync(path.join(appDir, manifest.icon));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(300);
    expect(png.readUInt32BE(20)).toBe(300);
  });

  it('asks for each permission once, with a purpose, and only those the app uses', () => {
    const permissions: Array<{ permission: string; purpose: string }> = manifest.permissions;
    expect(permissions.map((entry) => entry.permission).sort()).toEqual([
      'balance_transaction_source_read',
      'charge_read',
      'charge_write',
      'customer_read',
      'customer_write',
      'dispute_read',
      'event_read',
      'invoice_read',
      'payout_read',
    ]);
    for (const entry of permissions) expect(entry.purpose.length).toBeGreaterThan(20);
  });

  it('lands in settings after install, where the account is linked', () => {
    expect(manifest.post_install_action).toEqual({ type: 'settings' });
  });

  it('points at the default backend, in both the constant and connect-src', () => {
    expect(manifest.constants.BACKEND_URL).toBe(DEFAULT_BACKEND_URL);
    expect(manifest.ui_extension.content_security_policy['connect-src']).toEqual([connectSrcFor(DEFAULT_BACKEND_URL)]);
    expect(manifest.ui_extension.content_security_policy.purpose).toMatch(/Sage Sync/);
  });

  it('is exactly what the build script writes for the default backend', () => {
    expect(withBackendUrl(manifest, DEFAULT_BACKEND_URL)).toEqual(manifest);
  });

  it('is pointed at another environment by the build script, and stays valid', () => {
    const production = withBackendUrl(manifest, 'https://sync.example.com');
    expect(production.constants.BACKEND_URL).toBe('https://sync.example.com');
    expect(production.ui_extension.content_security_policy['connect-src']).toEqual(['https://sync.example.com/stripe-app/']);
    expect(validatorFor(JSON.parse(readFileSync(schemaPath, 'utf8')))(production)).toBe(true);
  });
});
