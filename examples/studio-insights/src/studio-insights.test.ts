import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DATA_DIR, renderStudioInsights, runStudioInsights, runWithDuplicatesLens, type StudioInsights } from "./studio-insights.js";

interface Planted {
  label_noise: { top_overlapping_pairs: { pair: [string, string]; relation: string }[]; flips: { row: number; given: string; true: string }[] };
  duplicates: { kind: "conflicting_pair" | "conflicting_triple" | "agreeing_pair"; members: number[]; wrong: number[] }[];
}

let r: StudioInsights;
let planted: Planted;

beforeAll(async () => {
  r = await runStudioInsights();
  planted = JSON.parse(await readFile(join(DEFAULT_DATA_DIR, "planted.json"), "utf8")) as Planted;
}, 120_000);

const key = (a: string, b: string) => [a, b].sort().join(" / ");

describe("studio insights on fashion-insights", () => {
  it("puts the planted sibling pairs on top, in order, as siblings", () => {
    const top = r.ontology.verdicts.slice(0, 3);
    expect(top.map((v) => key(v.nameA!, v.nameB!))).toEqual(planted.label_noise.top_overlapping_pairs.map((p) => key(...p.pair)));
    expect(top.map((v) => key(v.nameA!, v.nameB!))).toEqual(["Shirt / T-shirt_top", "Coat / Pullover", "Sandal / Sneaker"]);
    expect(top.every((v) => v.relation === "sibling" && v.category === "ontology")).toBe(true);
    // well ahead of the encoder's own confusions
    expect(r.ontology.verdicts[3]!.numOverlapping * 2).toBeLessThan(top[2]!.numOverlapping);
    const overlapFindings = r.report.findings.filter((f) => f.type === "class_overlap");
    expect(overlapFindings.slice(0, 3).map((f) => f.data!.relation)).toEqual(["sibling", "sibling", "sibling"]);
  });

  it("ranks the six planted classes lowest in class health", () => {
    const worst = r.health.classesByLabelQuality.slice(0, 6).map((c) => c.className).sort();
    expect(worst).toEqual(["Coat", "Pullover", "Sandal", "Shirt", "Sneaker", "T-shirt_top"]);
  });

  it("the top correction cells undo the planted flips", () => {
    const flips = new Set(planted.label_noise.flips.map((f) => `${f.given}→${f.true}`));
    const top = r.corrections.rows.slice(0, 6);
    expect(top.every((c) => flips.has(`${c.givenName}→${c.suggestedName}`))).toBe(true);
    // most examples in those cells are planted flips (measured: 115 of 168; the rest are the encoder's own
    // Shirt / T-shirt and Coat / Pullover confusions on clean rows)
    const flipped = new Map(planted.label_noise.flips.map((f) => [f.row, f.true]));
    let hit = 0;
    let n = 0;
    for (const c of top) for (const i of c.examples) {
      n++;
      if (flipped.get(i) === c.suggestedName) hit++;
    }
    expect(n).toBeGreaterThan(150);
    expect(hit / n).toBeGreaterThan(0.65);
  });

  it("finds every planted conflicting duplicate set and no agreeing pair", () => {
    const found = new Map(r.duplicates.conflicts.map((c) => [c.members.join(","), c]));
    const conflicting = planted.duplicates.filter((d) => d.kind !== "agreeing_pair");
    expect(conflicting).toHaveLength(21);
    for (const d of conflicting) expect(found.has([...d.members].sort((a, b) => a - b).join(",")), `group ${d.members}`).toBe(true);
    for (const d of planted.duplicates.filter((x) => x.kind === "agreeing_pair")) expect(found.has(d.members.join(","))).toBe(false);
    const triple = planted.duplicates.find((d) => d.kind === "conflicting_triple")!;
    const finding = r.report.findings.find((f) => f.type === "conflicting_duplicate_labels" && f.indices.join(",") === triple.members.join(","))!;
    expect(finding.severity).toBe("error");
    // the suspects are mostly the planted wrong copies
    const wrong = new Set(conflicting.flatMap((d) => d.wrong));
    const suspects = r.duplicates.conflicts.flatMap((c) => c.suspects);
    expect(suspects.filter((i) => wrong.has(i)).length / wrong.size).toBeGreaterThan(0.8);
  });

  it("prints the four tables", () => {
    const text = renderStudioInsights(r);
    for (const heading of ["class health (worst first)", "overlapping classes with their ontology verdicts", "suggested corrections", "conflicting duplicate sets"]) {
      expect(text).toContain(heading);
    }
    expect(text).toMatch(/T-shirt_top \/ Shirt\s+\d+\s+[\d.]+\s+sibling/);
  });
});

describe("conflicting duplicates from the duplicates lens (duplicates.groups)", () => {
  it("finds the same 21 planted conflicting sets from exact, pHash and embedding groups computed once", async () => {
    // the same distance the kNN fallback above used (0.13 × the median nearest-neighbour distance)
    const cutoff = r.duplicates.maxDistance!;
    const d = await runWithDuplicatesLens(cutoff);
    expect(d.report.status).toBe("ok");
    expect(d.report.nodes.filter((n) => n.name === "duplicate-groups")).toHaveLength(1);
    expect(d.duplicates.source).toBe("duplicates.groups");
    expect(d.conflicts.source).toBe("duplicates.groups");
    // 14 exact copies + the exact triple + 5 agreeing exact pairs; the noisy copies come from pHash and/or the embeddings
    expect(d.conflicts.kinds!.exact).toBe(20);
    expect((d.conflicts.kinds!.near ?? 0) + (d.conflicts.kinds!.embedding ?? 0)).toBeGreaterThanOrEqual(6);
    const found = new Set(d.conflicts.conflicts.map((c) => c.members.join(",")));
    const conflicting = planted.duplicates.filter((x) => x.kind !== "agreeing_pair");
    for (const g of conflicting) expect(found.has([...g.members].sort((a, b) => a - b).join(",")), `group ${g.members}`).toBe(true);
    for (const g of planted.duplicates.filter((x) => x.kind === "agreeing_pair")) expect(found.has(g.members.join(","))).toBe(false);
  }, 120_000);
});
