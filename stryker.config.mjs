// StrykerJS settings shared by every module of `npm run mutation` (scripts/mutation.mjs adds
// the files to mutate and the tests to run for one module at a time).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.mts", related: false },
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "progress", "json"],
  concurrency: 1,
  timeoutMS: 10_000,
  // Under .phasor/ (git-ignored); never in place, since others edit this working tree meanwhile.
  tempDirName: ".phasor/stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: ["dist", "notebooks", "bench", "docs", ".phasor", "**/*.nir", "**/*.h5"],
  thresholds: { high: 90, low: 80 },
};
