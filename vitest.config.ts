import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One scratch folder per run, shared by the test files (the migrated PGlite dump).
    globalSetup: ['test/support/global-setup.ts'],
    // The browser suites poll what the page shows; on a loaded CI machine a render after a
    // server round trip can take seconds, so a poll gives up only after 15 s.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    // A deployment's contact point for notices; one test removes it to see declaration refuse.
    env: { BREACHDESK_CONTACT_EMAIL: 'security@provider.example' },
  },
});
