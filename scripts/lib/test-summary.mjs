// Reads what each runner wrote (vitest and jest JSON, Playwright JSON) into one count.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

export const RESULT_FILES = [
  { suite: 'db (vitest)', file: 'prisma/test-results/vitest.json', kind: 'jest-like' },
  { suite: 'api (vitest)', file: 'api/test-results/vitest.json', kind: 'jest-like' },
  { suite: 'stripe-app (jest)', file: 'stripe-app/test-results/jest.json', kind: 'jest-like' },
  { suite: 'e2e (playwright)', file: 'e2e/test-results/playwright.json', kind: 'playwright' },
];

export function clearResults() {
  for (const { file } of RESULT_FILES) fs.rmSync(path.join(ROOT, file), { force: true });
}

export function readResults() {
  return RESULT_FILES.map(({ suite, file, kind }) => {
    const full = path.join(ROOT, file);
    if (!fs.existsSync(full)) return { suite, missing: true, passed: 0, failed: 0, skipped: 0 };
    const data = JSON.parse(fs.readFileSync(full, 'utf8'));
    if (kind === 'playwright') {
      const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = data.stats ?? {};
      // A flaky test failed at least once: it is not a pass.
      return { suite, passed: expected, failed: unexpected + flaky + (data.errors?.length ?? 0), skipped };
    }
    return {
      suite,
      passed: data.numPassedTests ?? 0,
      failed: (data.numFailedTests ?? 0) + (data.numRuntimeErrorTestSuites ?? 0),
      skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0),
    };
  });
}
