import { AssayError, createDataset, defineArtifact, defineDetector, defineExtractor, pipeline, type Report, z } from "@assay/core";

const brightness = defineArtifact<"test.brightness", Float32Array>("test.brightness");

/** Test-only: a tiny real pipeline run whose report has findings of several types and severities. */
export async function sampleReport(): Promise<Report> {
  const dataset = createDataset({
    name: "tiny",
    ids: ["a.png", "b,1.png", 'c "q".png', "d.png", "e.png", "f.png"],
    labels: [0, 0, 1, 1, 1, 0],
    classes: ["cat", "dog"],
    splits: ["train", "train", "train", "train", "test", "test"],
  });
  const extract = defineExtractor({
    name: "brightness",
    version: "1",
    plugin: "test-plugin",
    options: z.object({}),
    needs: [],
    provides: brightness,
    async run(ctx) {
      ctx.progress(ctx.dataset.size, ctx.dataset.size);
      return Float32Array.from([0.1, 0.5, 0.5, 0.9, 0.02, 0.6]);
    },
  });
  const detect = defineDetector({
    name: "exposure",
    version: "1",
    plugin: "test-plugin",
    description: "flags dark and duplicate-bright samples",
    options: z.object({ dark: z.number().default(0.05) }),
    needs: [brightness],
    async run(_ctx, inputs, options) {
      const b = inputs["test.brightness"];
      const findings = [];
      for (let i = 0; i < b.length; i++) {
        if (b[i]! < options.dark) {
          findings.push({ type: "too_dark", indices: [i], score: b[i]!, severity: "error" as const, message: `brightness ${b[i]!.toFixed(2)} < ${options.dark}`, data: { brightness: b[i], expected: `>= ${options.dark}` } });
        }
      }
      findings.push({ type: "same_brightness", indices: [2, 1], score: 1, severity: "warning" as const, message: 'rows 1 and 2 have equal brightness, "suspicious", maybe', data: { values: Float32Array.from([0.5, 0.5]), ratio: Number.NaN } });
      findings.push({ type: "same_brightness", indices: [3], severity: "info" as const, message: "a note <b>not bold</b>\nsecond line" });
      findings.push({ type: "low_contrast", indices: [], score: 0.25, severity: "info" as const, message: "dataset-wide contrast is low" });
      return { result: { mean: 0.437 }, findings, summary: { dark: 1, mean_brightness: 0.4366667 } };
    },
  });
  const broken = defineDetector({
    name: "broken",
    version: "1",
    options: z.object({}),
    needs: [],
    async run(): Promise<never> {
      throw new AssayError("INVALID_INPUT", "broken needs images and the dataset has none");
    },
  });
  return pipeline(dataset).use(extract, detect, broken).run({ concurrency: 1 });
}
