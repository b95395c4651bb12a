// Sums vitest's per-package "Tests  N passed | M failed" lines from a turbo log and prints one
// "N passed, N failed" line. A package whose test task failed without a vitest summary (a crash,
// a build error) counts as one failure.
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2], "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0;
let failed = 0;
let skipped = 0;
const summarised = new Set();
for (const line of text.split("\n")) {
  const m = /^(?:(\S+):test: )?\s*Tests\s+(.+)\(\d+\)\s*$/.exec(line);
  if (!m) continue;
  if (m[1]) summarised.add(m[1]);
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(m[2])?.[1] ?? 0);
  passed += count("passed");
  failed += count("failed");
  skipped += count("skipped") + count("todo");
}
const failedTasks = /Failed:\s+(.+)/.exec(text)?.[1]?.split(/,\s*/) ?? [];
for (const task of failedTasks) {
  const pkg = task.trim().replace(/#\w+$/, "");
  if (!summarised.has(pkg)) failed += 1;
}
if (skipped) console.log(`${skipped} skipped (opt-in tests, e.g. long performance checks)`);
console.log(`${passed} passed, ${failed} failed`);
