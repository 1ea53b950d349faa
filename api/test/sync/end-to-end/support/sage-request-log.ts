// Every request the worker's Sage connectors send, as the fetch they send it through, so a test
// can say what reached Sage (a PUT, or nothing but lookups). The sandbox names the company in the
// path for Sage 500, Pro and 50 (`/sage500/<company>/...`) and in the X-Business header for Sage
// Accounting; OAuth token requests name none and are left out.

export type SageRequestSeen = { company: string; method: string; path: string; body: string | null };

export type SageRequestLog = {
  fetch: typeof fetch;
  /** The requests sent to this company's Sage API so far, oldest first. */
  of(company: string): SageRequestSeen[];
};

export function recordSageRequests(): SageRequestLog {
  const seen: SageRequestSeen[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const business = new Headers(init?.headers).get('x-business');
    const company = business ?? /^\/(?:sage500|sagepro|sage50)\/([^/]+)\//.exec(url.pathname)?.[1];
    if (company && !url.pathname.includes('/oauth/')) {
      seen.push({ company, method: init?.method ?? 'GET', path: url.pathname, body: typeof init?.body === 'string' ? init.body : null });
    }
    return fetch(input, init);
  };
  return { fetch: recording, of: (company) => seen.filter((request) => request.company === company) };
}
