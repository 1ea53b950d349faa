import type { IncomingHttpHeaders } from 'node:http';

// Why: the session cookie is SameSite=Lax and next-auth's CSRF token only covers next-auth's own
// routes, so a tRPC mutation must prove it is not a cross-site form or fetch. Browsers cannot send
// `application/json` cross-site without a CORS preflight (which we never grant), and they always
// label cross-site requests with `Origin` and `Sec-Fetch-Site`.
//
// The portal reaches us through its own same-origin reverse proxy (Next rewrites /api/trpc to
// /trpc here), so the browser's Origin is PORTAL_URL's origin: that one is allowed. Calls from
// servers (next-auth's credentials check, scripts) carry neither header and are allowed too.

export type MutationRefusal = {
  code: 'UNSUPPORTED_MEDIA_TYPE' | 'FORBIDDEN';
  httpStatus: 415 | 403;
  message: string;
};

const SAME_SITE_FETCH_VALUES = new Set(['same-origin', 'none']);

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/** Returns why a state-changing request must be refused, or null when it may proceed. */
export function checkMutationRequest(headers: IncomingHttpHeaders, portalOrigin: string): MutationRefusal | null {
  if (!isJsonContentType(headerValue(headers, 'content-type'))) {
    return {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      httpStatus: 415,
      message: 'Changes must be sent as JSON (content-type: application/json).',
    };
  }
  const origin = headerValue(headers, 'origin');
  if (origin !== undefined) {
    return origin === portalOrigin
      ? null
      : { code: 'FORBIDDEN', httpStatus: 403, message: 'Cross-site requests cannot change data.' };
  }
  const fetchSite = headerValue(headers, 'sec-fetch-site');
  if (fetchSite !== undefined && !SAME_SITE_FETCH_VALUES.has(fetchSite.toLowerCase())) {
    return { code: 'FORBIDDEN', httpStatus: 403, message: 'Cross-site requests cannot change data.' };
  }
  return null;
}
