import { defineConfig } from 'vitest/config';

// The suite opens real loopback sockets and runs for a while: one file at a time and a generous
// timeout. Workspace packages resolve through their `source` export condition (TypeScript source,
// as every package's tests do), so CI needs no build before this test; `pnpm conformance` runs
// the same cases with plain Node against the built dist/.
const conditions = ['source', 'module', 'node', 'import', 'default'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.mjs'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
