import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createDataset } from "./dataset.js";
import { defineDetector } from "./nodes.js";
import { checkDetector } from "./testing.js";

const dataset = createDataset({ labels: [0, 1, 1] });

describe("checkDetector", () => {
  it("passes a well-behaved detector", async () => {
    const good = defineDetector({
      name: "good",
      version: "1",
      options: z.object({ min: z.number().default(1) }),
      needs: [],
      run: async (ctx, _i, o) => ({
        result: { n: ctx.dataset.size },
        findings: [...ctx.dataset.labels.keys()].filter((i) => ctx.dataset.labels[i]! >= o.min).map((i) => ({ type: "one", indices: [i], severity: "info" as const, message: "label one" })),
      }),
    });
    expect(await checkDetector(good, { dataset })).toEqual([]);
  });

  it("lists every broken rule of a misbehaving detector", async () => {
    let calls = 0;
    const bad = defineDetector({
      name: "bad",
      version: "1",
      options: z.any(),
      needs: [],
      run: async () => ({
        result: { call: calls++ },
        findings: [{ type: "", indices: [0], severity: "fatal" as never, message: "", score: Number.NaN }],
      }),
    });
    expect(await checkDetector(bad, { dataset })).toEqual([
      "an unknown option was accepted; object option schemas must reject unknown keys",
      "finding 0 has no type",
      "finding 0 () has no message",
      'finding 0 has severity "fatal"',
      "finding 0 () has a non-finite score NaN",
      "two runs on the same input gave different reports",
    ]);
  });
});
