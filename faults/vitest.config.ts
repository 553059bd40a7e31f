import shared from '../vitest.shared.ts';
import { defineConfig, mergeConfig } from 'vitest/config';

// Faults spawn peer processes, network namespaces and Chromium: one file at a time keeps a 2-core
// machine from being oversubscribed, so every time bound a test asserts stays meaningful.
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 } }));
