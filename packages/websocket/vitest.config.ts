import shared from '../../vitest.shared.ts';
import { defineConfig, mergeConfig } from 'vitest/config';

// The entry-point tests read the built dist/ (what `npm i` would install), so the global setup
// builds this package first; test files run one after another because they bind ports and spawn
// processes on a 2-core machine.
export default mergeConfig(
  shared,
  defineConfig({ test: { globalSetup: ['./test/global-setup.ts'], fileParallelism: false, testTimeout: 20_000 } }),
);
