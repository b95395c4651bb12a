/**
 * Test helpers for assay packages and third-party plugins (Node test runners):
 * - `checkDetector`: the conformance check any detector can run against itself in its own tests,
 *   `expect(await checkDetector(myDetector, { dataset, provide })).toEqual([])`;
 * - `backendConformance`: the checks every inference backend must pass;
 * - `denseTestBackend` / `denseTestModel` / `denseReference` / `testFloats`: a pure-JS backend and
 *   reference numbers for testing model extractors without a native runtime.
 * @module
 */
export { backendConformance, type ConformanceCheck, type ConformanceFixtures } from "./backend-conformance.js";
export { denseReference, denseTestBackend, denseTestModel, testFloats, type DenseTestModel } from "./test-backend.js";
import type { Dataset } from "./dataset.js";
import { isAssayError } from "./errors.js";
import type { DetectorFactory } from "./nodes.js";
import { pipeline, type Usable } from "./pipeline.js";
import { serializeReport } from "./report.js";

/** Inputs of {@link checkDetector}. */
export interface ConformanceInput {
  /** A dataset the detector can run on. */
  dataset: Dataset;
  /** Options to construct the detector with (default: none). */
  options?: Record<string, unknown>;
  /** Artifacts to supply, by name (e.g. `{ embeddings: matrix }`). */
  provide?: Record<string, unknown>;
  /** Extractors, plugins or other nodes the detector's needs come from. */
  use?: Usable[];
}

/**
 * Run the contract checks and return every problem found (an empty array means conformant):
 * metadata present; unknown options rejected with `INVALID_OPTION` naming the detector; the run
 * succeeds; findings carry a type, a message, a valid severity and a finite or absent score; the
 * result serialises to JSON; and two runs give byte-identical reports.
 */
// biome-ignore lint: any option schema
export async function checkDetector(factory: DetectorFactory<any, any>, input: ConformanceInput): Promise<string[]> {
  const problems: string[] = [];
  const name = factory.nodeName;
  if (!name) problems.push("factory has no nodeName");
  if (factory.kind !== "detector") problems.push(`factory kind is "${factory.kind}", expected "detector"`);
  if (!factory.version) problems.push("factory has no version");

  try {
    factory({ ...(input.options ?? {}), __assay_unknown_option__: 1 });
    problems.push("an unknown option was accepted; object option schemas must reject unknown keys");
  } catch (error) {
    if (!isAssayError(error, "INVALID_OPTION")) problems.push(`an unknown option threw ${String(error)}, expected an INVALID_OPTION AssayError`);
    else if (error.node !== name) problems.push(`INVALID_OPTION error names node "${error.node}", expected "${name}"`);
  }

  const runOnce = async () => {
    const p = pipeline(input.dataset).use(...(input.use ?? []), factory(input.options as never));
    for (const [artifact, value] of Object.entries(input.provide ?? {})) p.provide({ name: artifact }, value as never);
    return p.run({ concurrency: 1 });
  };
  const first = await runOnce();
  const record = first.nodes.find((n) => n.name === name);
  if (!record || record.status !== "ok") {
    problems.push(`the detector did not run cleanly: ${record ? `${record.status} ${JSON.stringify(record.error ?? record.reason ?? "")}` : "missing from report"}`);
    return problems;
  }
  for (const [i, f] of first.findings.entries()) {
    if (f.detector !== name) continue;
    if (!f.type) problems.push(`finding ${i} has no type`);
    if (!f.message) problems.push(`finding ${i} (${f.type}) has no message`);
    if (!["info", "warning", "error"].includes(f.severity)) problems.push(`finding ${i} has severity "${f.severity}"`);
    if (f.score !== undefined && !Number.isFinite(f.score)) problems.push(`finding ${i} (${f.type}) has a non-finite score ${f.score}`);
  }
  let firstText = "";
  try {
    firstText = serializeReport(first, { timings: false });
  } catch (error) {
    problems.push(`the result does not serialise to JSON: ${String(error)}`);
  }
  const secondText = serializeReport(await runOnce(), { timings: false });
  if (firstText && firstText !== secondText) problems.push("two runs on the same input gave different reports");
  return problems;
}
