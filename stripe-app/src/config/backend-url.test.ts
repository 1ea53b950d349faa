import { DEFAULT_BACKEND_URL, backendUrlFromConstants, backendUrlFromEnv, connectSrcFor } from './backend-url';

describe('the backend URL', () => {
  it('defaults to the local api when STRIPE_APP_BACKEND_URL is unset or blank', () => {
    expect(backendUrlFromEnv({})).toBe('http://localhost:4000');
    expect(backendUrlFromEnv({ STRIPE_APP_BACKEND_URL: '  ' })).toBe(DEFAULT_BACKEND_URL);
  });

  it('takes STRIPE_APP_BACKEND_URL at build time, without a trailing slash', () => {
    expect(backendUrlFromEnv({ STRIPE_APP_BACKEND_URL: 'https://sync.example.com/' })).toBe('https://sync.example.com');
  });

  it('fails loudly on a value that is not an http(s) URL', () => {
    expect(() => backendUrlFromEnv({ STRIPE_APP_BACKEND_URL: 'ftp://sync.example.com' })).toThrow(/STRIPE_APP_BACKEND_URL/);
    expect(() => backendUrlFromEnv({ STRIPE_APP_BACKEND_URL: 'sync.example.com' })).toThrow(/STRIPE_APP_BACKEND_URL/);
  });

  it('is read by the views from the BACKEND_URL manifest constant', () => {
    expect(backendUrlFromConstants({ BACKEND_URL: 'https://sync.example.com' })).toBe('https://sync.example.com');
  });

  it('falls back to the default when the constant is missing or malformed', () => {
    expect(backendUrlFromConstants(undefined)).toBe(DEFAULT_BACKEND_URL);
    expect(backendUrlFromConstants({ BACKEND_URL: 42 })).toBe(DEFAULT_BACKEND_URL);
    expect(backendUrlFromConstants(['https://sync.example.com'])).toBe(DEFAULT_BACKEND_URL);
  });

  it('is permitted by a connect-src entry covering every Stripe App route', () => {
    expect(connectSrcFor('https://sync.example.com')).toBe('https://sync.example.com/stripe-app/');
    expect(connectSrcFor('http://localhost:4000/')).toBe('http://localhost:4000/stripe-app/');
  });
});
