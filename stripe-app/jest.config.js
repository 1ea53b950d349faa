// @ts-check
const path = require('node:path');

// Two Reacts share this workspace (the portal needs React 19, the SDK pins 18.3.1). A view and the
// SDK's renderer must use the same copy or every hook fails with "Invalid hook call", so `react`
// is mapped to the copy the SDK itself resolves (see NOTES-DEPS.md, "Two Reacts in one workspace").
const sdkDir = path.dirname(require.resolve('@stripe/ui-extension-sdk/package.json'));
const reactDir = path.dirname(require.resolve('react/package.json', { paths: [sdkDir] }));

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: {
    '^.+\\.(t|j)sx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  // The SDK and remote-ui ship ES modules without "type": "module"; they must be transformed.
  transformIgnorePatterns: ['node_modules/(?!(@stripe/ui-extension-sdk|@remote-ui)/)'],
  moduleNameMapper: {
    '^react$': reactDir,
    '^react/(.*)$': `${reactDir}/$1`,
  },
  clearMocks: true,
};
