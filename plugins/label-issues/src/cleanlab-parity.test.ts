import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { computeConfidentJoint, findLabelIssues, numLabelIssues } from "./confident-learning.js";
import { tiesDataset as dataset, where } from "./test-helpers.js";
import { FILTER_BY_MODES } from "./types.js";

/**
 * Parity fixture produced by running cleanlab 7506257 (numpy 1.24.2) on a deterministic float32 dataset
 * (integer LCG weights, K = 20, many exact ties): it exercises float32 comparisons, numpy's introsort tie order
 * (K > 16 in the rounding of calibrated counts, tied margins at prune cut-offs) and the near-tie reduction.
 */
const ref = JSON.parse(readFileSync(new URL("./fixtures/cleanlab-float32-ties.json", import.meta.url), "utf8")) as {
  modes: Record<string, number[]>;
  ranked_self_confidence: number[];
  ranked_normalized_margin: number[];
  calibrated_joint: number[];
  num_label_issues: [number, number];
};

describe("parity with cleanlab on float32 data with ties (K = 20)", () => {
  const { labels, P } = dataset();
  it("calibrated confident joint", () => {
    expect(Array.from(computeConfidentJoint(labels, P).joint)).toEqual(ref.calibrated_joint);
  });
  it("every filter_by mode gives cleanlab's issue set", () => {
    for (const mode of FILTER_BY_MODES) expect(where(findLabelIssues(labels, P, { filterBy: mode })), mode).toEqual(ref.modes[mode]);
  });
  it("ranked output and num_label_issues", () => {
    expect(Array.from(findLabelIssues(labels, P, { returnIndicesRankedBy: "self_confidence" }))).toEqual(ref.ranked_self_confidence);
    expect(Array.from(findLabelIssues(labels, P, { returnIndicesRankedBy: "normalized_margin" }))).toEqual(ref.ranked_normalized_margin);
    expect([numLabelIssues(labels, P), numLabelIssues(labels, P, { estimationMethod: "off_diagonal_calibrated" })]).toEqual(ref.num_label_issues);
  });
});
