import shared from '../vitest.shared.ts';
import { defineConfig, mergeConfig } from 'vitest/config';

// Fuzz targets are CPU-bound and time-boxed; the soak opens hundreds of sockets. Running files one
// after another keeps each target's time budget honest on a 2-core machine.
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false, testTimeout: 120_000 } }));
