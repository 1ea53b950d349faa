import { createHash, randomBytes } from 'node:crypto';
import { parseAmountToMinor } from '../../../../src/sandbox/sage/money.ts';
import { buildSageSandbox, type SageSandbox, type SageSandboxOptions } from '../../../../src/sandbox/sage/sage-sandbox-server.ts';

/** A clock the tests move by hand: token expiry and rate windows without sleeping. */
export type TestClock = { now: () => number; advance(ms: number): void };

export function testClock(start = Date.parse('2024-06-01T12:00:00Z')): TestClock {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}

export type RunningSandbox = {
  sandbox: SageSandbox;
  url: string;
  clock: TestClock;
  close(): Promise<void>;
  /** GET a path and parse the JSON answer. */
  getJson<T = unknown>(path: string, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  /** Send JSON and parse the JSON answer. */
  sendJson<T = unknown>(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  /** What the inspection route says the company's books hold. */
  documents(company: string, query?: Record<string, string>): Promise<InspectedDocument[]>;
  balance(company: string, account: string): Promise<{ debit: string; credit: string; balance: string }>;
  setFaults(company: string, faults: Record<string, unknown>): Promise<void>;
  clearFaults(company: string): Promise<void>;
};

export type InspectedDocument = {
  type: string;
  id: string;
  number: string;
  reference: string | null;
  date: string;
  currency: string;
  amount: string;
  customer: { id: string; code: string; name: string; email: string | null; stripeCustomerId: string | null } | null;
  appliesToInvoice: string | null;
  lines: { account: string; debit: string; credit: string; memo: string | null }[];
};

export async function startSandbox(options: SageSandboxOptions = {}): Promise<RunningSandbox> {
  const clock = testClock();
  const sandbox = buildSageSandbox({ now: clock.now, ...options });
  const url = await sandbox.listen(0);
  const request = async <T>(method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
  };
  const running: RunningSandbox = {
    sandbox,
    url,
    clock,
    close: () => sandbox.close(),
    getJson: (path, headers) => request('GET', path, undefined, headers),
    sendJson: (method, path, body, headers) => request(method, path, body, headers),
    async documents(company, query = {}) {
      const search = new URLSearchParams(query).toString();
      const { status, body } = await request<{ documents: InspectedDocument[] }>('GET', `/_sandbox/companies/${company}/documents${search ? `?${search}` : ''}`, undefined);
      if (status !== 200) throw new Error(`inspection answered ${status}`);
      return body.documents;
    },
    async balance(company, account) {
      const { status, body } = await request<{ debit: string; credit: string; balance: string }>('GET', `/_sandbox/companies/${company}/accounts/${account}/balance`, undefined);
      if (status !== 200) throw new Error(`balance answered ${status}`);
      return body;
    },
    async setFaults(company, faults) {
      const { status } = await request('POST', `/_sandbox/companies/${company}/faults`, faults);
      if (status !== 200) throw new Error(`faults answered ${status}`);
    },
    async clearFaults(company) {
      const response = await fetch(`${url}/_sandbox/companies/${company}/faults`, { method: 'DELETE' });
      if (response.status !== 204) throw new Error(`clearing faults answered ${response.status}`);
    },
  };
  return running;
}

export const DEMO_CLIENT = { clientId: 'demo-client-id', clientSecret: 'demo-client-secret', redirectUri: 'http://localhost:3000/oauth/sage/callback' };

export type OAuthPrefix = '/sagepro' | '/sage50' | '/sageaccounting';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Loads the consent page as a browser would, and reads its form. */
export async function openConsentPage(url: string, prefix: OAuthPrefix, params: Record<string, string>) {
  const query = new URLSearchParams({ response_type: 'code', client_id: DEMO_CLIENT.clientId, redirect_uri: DEMO_CLIENT.redirectUri, state: 'state-123', ...params });
  const response = await fetch(`${url}${prefix}/oauth/authorize?${query}`, { redirect: 'manual' });
  const html = await response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const consentId = /name="consent_id" value="([^"]+)"/.exec(html)?.[1];
  return { response, html, action, consentId };
}

/** Presses a button of the consent form and gives back where the browser is sent. */
export async function pressConsentButton(url: string, action: string, consentId: string, decision: 'allow' | 'deny'): Promise<URL> {
  const response = await fetch(`${url}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent_id: consentId, decision }).toString(),
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`consent answered ${response.status}`);
  return new URL(location);
}

export async function postTokenForm(url: string, prefix: OAuthPrefix, form: Record<string, string>) {
  const response = await fetch(`${url}${prefix}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret, ...form }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export type TokenSet = { access_token: string; refresh_token: string; expires_in: number };

/** The whole authorization code flow with PKCE: consent page, Allow, code for tokens. */
export async function connectWithOAuth(url: string, prefix: OAuthPrefix): Promise<TokenSet> {
  const { verifier, challenge } = pkcePair();
  const page = await openConsentPage(url, prefix, { code_challenge: challenge, code_challenge_method: 'S256' });
  if (!page.action || !page.consentId) throw new Error('no consent form');
  const callback = await pressConsentButton(url, page.action, page.consentId, 'allow');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error('no code in the callback');
  const { status, body } = await postTokenForm(url, prefix, { grant_type: 'authorization_code', code, redirect_uri: DEMO_CLIENT.redirectUri, code_verifier: verifier });
  if (status !== 200) throw new Error(`token endpoint answered ${status}`);
  return body as unknown as TokenSet;
}

/** A request whose answer is lost: fetch fails at the socket, not with a status. */
export async function expectSocketFailure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('the request got an answer');
}

/** A decimal string as integer cents, so tests compare money without floats. */
export function cents(decimal: string): number {
  const parsed = parseAmountToMinor(decimal, 'USD');
  if (!parsed.ok) throw new Error(`not an amount: ${decimal}`);
  return parsed.minor;
}
