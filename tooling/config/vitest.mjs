// Shared vitest settings. Tests live beside the code as src/**/*.test.ts.
// Workspace dependencies resolve to their built dist (turbo builds them first).
export function assayVitest(overrides = {}) {
  return {
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      passWithNoTests: true,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: "forks",
      ...overrides,
    },
  };
}
