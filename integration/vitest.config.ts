import shared from '../vitest.shared.ts';
import { defineConfig, mergeConfig } from 'vitest/config';

// Interop tests open real sockets and spawn peers: run files one after another so a 2-core
// machine is not oversubscribed and ports/timeouts stay predictable.
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false, testTimeout: 30_000 } }));
