import { NextResponse, type NextRequest } from 'next/server';

/**
 * Same-origin tRPC: `/api/trpc/*` is forwarded to the api's `/trpc/*`, so the browser never talks
 * to the api's port and next-auth's SameSite=Lax session cookie (and the browser's Origin and
 * Sec-Fetch-Site headers, which the api checks on mutations) reach the api unchanged.
 *
 * Why here and not in next.config.ts `rewrites()`: those are frozen into the build output, so a
 * portal built once could only ever reach the api address it was built with. Read at request
 * time, one build serves `npm start` (:4000), the e2e run (:4100) and production alike.
 */
export function proxy(request: NextRequest) {
  const apiInternalUrl = (process.env.API_INTERNAL_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
  const apiPath = request.nextUrl.pathname.replace(/^\/api\/trpc/, '/trpc');
  return NextResponse.rewrite(new URL(`${apiInternalUrl}${apiPath}${request.nextUrl.search}`));
}

export const config = {
  matcher: '/api/trpc/:path*',
};
