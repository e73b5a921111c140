// The vitest configuration StrykerJS runs (npm run mutation): only the test files of the
// module being mutated, named by scripts/mutation.mjs in PHASOR_MUTATION_TESTS.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: (process.env.PHASOR_MUTATION_TESTS ?? "").split(",").filter(Boolean),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
