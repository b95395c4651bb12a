// One build recipe for every publishable package: ESM + CJS + .d.ts, Node 20 target.
// `entry` maps output names to sources, e.g. { index: "src/index.ts", node: "src/node.ts" }.
export function assayTsup(entry, overrides = {}) {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: false,
    shims: true,
    treeshake: true,
    ...overrides,
  };
}
