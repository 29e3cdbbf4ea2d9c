import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A deployment's contact point for notices; one test removes it to see declaration refuse.
    env: { BREACHDESK_CONTACT_EMAIL: 'security@provider.example' },
  },
});
