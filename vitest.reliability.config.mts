import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

// npm run test:reliability: property-based bad input, duplicates, load and faults. The short
// profile runs in CI; JUNOEVENT_RELIABILITY=long runs the long one.
export default defineConfig({
  plugins: base.plugins ?? [],
  test: {
    ...base.test,
    include: ['test/reliability/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
