import { defineConfig } from 'vitest/config';

// The suite opens real loopback sockets and runs for tens of seconds: one file at a time, and a
// generous timeout for the whole-suite test. Packages resolve to their built dist/ (the default
// condition), the same code `pnpm conformance` runs.
export default defineConfig({
  test: {
    include: ['src/**/*.test.mjs'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
