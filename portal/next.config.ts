import path from 'node:path';
import type { NextConfig } from 'next';

// The monorepo root holds the only lockfile; pin it so Next does not guess.
const monorepoRoot = path.join(__dirname, '..');

// `/api/trpc/*` is forwarded to the api by src/proxy.ts, not by `rewrites()` here: rewrites are
// frozen into the build, and the api's address (API_INTERNAL_URL) must be read at run time.
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
