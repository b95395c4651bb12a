import { describe, expect, it } from "vitest";
import { buildKnnGraph } from "./knn-graph.js";
import { OutOfDistribution, createNeighborIndex } from "./ood.js";
import { close, mat } from "./test-helpers.js";

const feats = (rows: number[][]) => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });
const ok = (a: ArrayLike<number>, e: number[], tol = 1e-9) => expect(close(a, e, tol), `${Array.from(a)} vs ${e}`).toBe(true);
const E = Math.exp;

describe("OOD-1 points on a line", () => {
  const X = feats([[0, 0], [1, 0], [2, 0], [3, 0], [10, 0]]);
  const Xnew = feats([[0, 0], [1.5, 0], [20, 0]]);
  it("k=1", async () => {
    const o = new OutOfDistribution({ k: 1 });
    ok(await o.fitScore({ features: X }), [E(-1), E(-1), E(-1), E(-1), E(-7)]);
    expect(o.scalingFactor).toBe(1);
    ok(await o.score({ features: Xnew }), [1, 0.606530659713, 4.539992976248e-5]);
  });
  it("k=2", async () => {
    const o = new OutOfDistribution({ k: 2 });
    ok(await o.fitScore({ features: X }), [0.367879441171, 0.513417119033, 0.513417119033, 0.367879441171, 0.006737946999]);
    expect(o.scalingFactor).toBe(1.5);
    ok(await o.score({ features: Xnew }), [0.716531310574, 0.716531310574, 1.234098040867e-4]);
  });
  it("k=1, t=2", async () => {
    ok(await new OutOfDistribution({ k: 1, t: 2 }).fitScore({ features: X }), [0.135335283237, 0.135335283237, 0.135335283237, 0.135335283237, 8.315287191036e-7]);
  });
});

describe("OOD-2 exact duplicates", () => {
  it("duplicates pair", async () => {
    ok(await new OutOfDistribution({ k: 2 }).fitScore({ features: feats([[0, 0], [0, 0], [1, 0], [3, 0]]) }), [
      0.513417119033, 0.513417119033, 0.263597138116, 0.035673993347,
    ]);
  });
  it("large group neighbour lists", async () => {
    const X = feats([[1, 1], [1, 1], [1, 1], [1, 1], [2, 2]]);
    const g2 = await buildKnnGraph(X, { k: 2 });
    expect(Array.from(g2.indices)).toEqual([1, 2, 0, 2, 0, 1, 0, 1, 0, 1]);
    expect(Array.from(g2.distances.slice(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    ok(g2.distances.slice(8), [1.414213562373, 1.414213562373], 1e-12);
    const g3 = await buildKnnGraph(X, { k: 3 });
    expect(Array.from(g3.indices)).toEqual([1, 2, 3, 0, 2, 3, 0, 1, 3, 0, 1, 2, 0, 1, 2]);
    ok(await new OutOfDistribution().fitScore({ features: X }), [E(-1), E(-1), E(-1), E(-1), 0.018315638889]);
  });
  it("identical rows score exactly 1", async () => {
    const X = { rows: 20, cols: 3, data: new Float64Array(60).fill(0.7) };
    expect(Array.from(await new OutOfDistribution().fitScore({ features: X }))).toEqual(new Array(20).fill(1));
    const Y = { rows: 100, cols: 5, data: new Float64Array(500).fill(-3.25) };
    expect(Array.from(await new OutOfDistribution().fitScore({ features: Y }))).toEqual(new Array(100).fill(1));
  });
});

export const E5 = [
  [0.5374540118847363, 0.5950714306409917],
  [0.5731993941811405, 0.5598658484197037],
  [0.5156018640442437, 0.5155994520336202],
  [0.5058083612168199, 0.5866176145774935],
  [-1.0, -1.0],
];

describe("OOD-3 cleanlab's 5-point fixture", () => {
  it("default k", async () => {
    const o = new OutOfDistribution();
    ok(await o.fitScore({ features: feats(E5) }), [0.367879441171, 0.363272905082, 0.369523391892, 0.370419065382, 0.025217990736]);
    expect(o.scalingFactor!).toBeCloseTo(0.5951882289496374, 14);
    ok(o.graph!.distances.slice(16, 20), [2.143383005741, 2.187421833026, 2.215404637421, 2.215431740975]);
  });
  it("k = 1, 2, 3", async () => {
    const o1 = new OutOfDistribution({ k: 1 });
    ok(await o1.fitScore({ features: feats(E5) }), [0.520549722459, 0.367879441171, 0.239570422254, 0.520549722459, 2.795108702399e-19]);
    expect(o1.scalingFactor!).toBeCloseTo(0.0501713601076945, 14);
    const o2 = new OutOfDistribution({ k: 2 });
    ok(await o2.fitScore({ features: feats(E5) }), [0.508662352541, 0.367879441171, 0.308349790099, 0.426825327991, 4.660580088443e-16]);
    expect(o2.scalingFactor!).toBeCloseTo(0.061338984443099875, 14);
    const o3 = new OutOfDistribution({ k: 3 });
    const s3 = await o3.fitScore({ features: feats(E5) });
    ok(s3, [0.428893364137, 0.367879441171, 0.313193418276, 0.404155067196, 2.783246565341e-15]);
    expect(o3.scalingFactor!).toBeCloseTo(0.06510695263931993, 14);
    expect(Math.abs(s3.reduce((a, b) => a + b, 0) / 5 - 0.3028243)).toBeLessThan(1e-7);
    expect([...s3.keys()].sort((a, b) => s3[a]! - s3[b]!)).toEqual([4, 2, 1, 3, 0]);
    const g = o3.graph!;
    expect([0, 1, 2, 3, 4].map((i) => g.indices[i * 3])).toEqual([3, 0, 3, 0, 2]);
    ok([0, 1, 2, 3, 4].map((i) => g.distances[i * 3]!), [0.032755369212, 0.050171360108, 0.071690251142, 0.032755369212, 2.143383005741]);
  });
});

describe("OOD-4 cosine", () => {
  it("distances and scores", async () => {
    const X = feats([[1, 0, 0, 0], [2, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]]);
    const o = new OutOfDistribution({ k: 2 });
    const s = await o.fitScore({ features: X });
    expect(o.graph!.metric).toBe("cosine");
    ok(o.graph!.distances, [0, 0.5, 0, 0.5, 0.292893218813, 0.5, 0.292893218813, 0.292893218813, 0.292893218813, 0.5, 0.5, 1.0], 1e-12);
    expect(o.scalingFactor!).toBeCloseTo(0.3446699141100894, 14);
    ok(s, [0.484163965843, 0.484163965843, 0.316566767202, 0.4275094459, 0.316566767202, 0.113495172989]);
  });
});

describe("OOD-5 prediction-based", () => {
  const P = mat([[0.25, 0.725, 0.025], [0.37, 0.42, 0.21], [0.05, 0.05, 0.9], [0.1, 0.05, 0.85], [0.1125, 0.65, 0.2375]]);
  const labels = [1, 1, 2, 0, 2];
  it("entropy", async () => {
    const o = new OutOfDistribution();
    ok(await o.fitScore({ predProbs: P, labels }), [0.293986087369, 0.12842008442, 0.287577356927, 0.272984217436, 0.067903772281]);
    ok(o.confidentThresholds!, [0.1, 0.5725, 0.56875], 1e-12);
    ok(await new OutOfDistribution({ adjustPredProbs: false }).fitScore({ predProbs: P }), [
      0.38837048242, 0.035183187334, 0.641003750353, 0.528326582184, 0.210616698867,
    ]);
  });
  it("least_confidence", async () => {
    ok(await new OutOfDistribution({ method: "least_confidence" }).fitScore({ predProbs: P, labels }), [
      0.491109229467, 0.570702794242, 0.612193056732, 0.578323454699, 0.440304826418,
    ]);
    ok(await new OutOfDistribution({ method: "least_confidence", adjustPredProbs: false }).fitScore({ predProbs: P }), [0.725, 0.42, 0.9, 0.85, 0.65]);
  });
  it("gen", async () => {
    ok(await new OutOfDistribution({ method: "gen", M: 3 }).fitScore({ predProbs: P, labels }), [
      0.141993220284, 0.141357686466, 0.14252013428, 0.142189122817, 0.140384755566,
    ]);
    ok(await new OutOfDistribution({ method: "gen", M: 3, adjustPredProbs: false }).fitScore({ predProbs: P }), [
      0.144375740582, 0.140053393497, 0.1492206627, 0.147557314043, 0.142602339402,
    ]);
    ok(await new OutOfDistribution({ method: "gen", adjustPredProbs: false }).fitScore({ predProbs: P }), [
      0.974331272217, 0.974201601805, 0.974476619881, 0.974426719421, 0.974278070182,
    ]);
  });
  it("score after fit", async () => {
    const o = new OutOfDistribution();
    await o.fit({ predProbs: P, labels });
    ok(await o.score({ predProbs: mat([[1 / 3, 1 / 3, 1 / 3], [0.98, 0.01, 0.01]]) }), [0.086384442228, 0.915032384998]);
  });
});

describe("OOD-6 errors and properties", () => {
  const X = feats([[0, 0], [1, 0], [2, 0], [3, 0], [10, 0]]);
  const P = mat([[0.25, 0.725, 0.025], [0.37, 0.42, 0.21], [0.05, 0.05, 0.9], [0.1, 0.05, 0.85], [0.1125, 0.65, 0.2375]]);
  it("errors", async () => {
    await expect(new OutOfDistribution().fitScore({ features: X, predProbs: P })).rejects.toThrow(/exactly one/);
    await expect(new OutOfDistribution().fitScore({})).rejects.toThrow(/exactly one/);
    await expect(new OutOfDistribution().fitScore({ features: { rows: 5, cols: 0, data: new Float64Array(0) } })).rejects.toThrow(/2-D/);
    expect(() => new OutOfDistribution({ bogus: 1 } as never)).toThrow(/bogus/);
    await expect(new OutOfDistribution().score({ features: X })).rejects.toThrow(/fit on features first/);
    await expect(new OutOfDistribution().score({ predProbs: P })).rejects.toThrow(/fit on pred_probs/);
    await expect(new OutOfDistribution().fitScore({ predProbs: P })).rejects.toThrow(/without labels/);
    expect(() => new OutOfDistribution({ method: "x" as never })).toThrow(/unknown method/);
    await expect(new OutOfDistribution({ k: 5 }).fitScore({ features: X })).rejects.toThrow(/k cannot exceed/);
  });
  it("properties", async () => {
    const s1 = await new OutOfDistribution({ t: 1 }).fitScore({ features: X });
    const s2 = await new OutOfDistribution({ t: 3 }).fitScore({ features: X });
    expect(s2.reduce((a, b) => a + b)).toBeLessThan(s1.reduce((a, b) => a + b));
    for (const v of [...s1, ...s2]) expect(v >= 0 && v <= 1).toBe(true);
    const far = feats([...E5, [40, 40, 40, 40]].map((r) => [r[0]!, r[1]!, 1, 2]));
    const sf = await new OutOfDistribution().fitScore({ features: far });
    expect(sf.indexOf(Math.min(...sf))).toBe(5);
    const lc = await new OutOfDistribution({ method: "least_confidence", adjustPredProbs: false }).fitScore({ predProbs: P });
    ok(lc, [0.725, 0.42, 0.9, 0.85, 0.65], 0);
  });
  it("refitting keeps the first state", async () => {
    const warnings: string[] = [];
    const o = new OutOfDistribution({}, { onWarning: (w) => warnings.push(w) });
    await o.fitScore({ predProbs: P, labels: [1, 1, 2, 0, 2] });
    const t = Array.from(o.confidentThresholds!);
    await o.fitScore({ predProbs: P, labels: [0, 1, 2, 0, 2] });
    expect(Array.from(o.confidentThresholds!)).toEqual(t);
    expect(warnings.length).toBe(1);
    const of = new OutOfDistribution({ k: 1 }, { onWarning: (w) => warnings.push(w) });
    await of.fitScore({ features: X });
    const again = await of.fitScore({ features: X });
    expect(again[0]).toBe(1); // scored against the stored index including itself
  });
});

describe("OOD §2.3/§2.4 — user-supplied neighbour index (params.knn)", () => {
  const line = { rows: 5, cols: 2, data: Float64Array.from([0, 0, 1, 0, 2, 0, 3, 0, 10, 0]) };
  const fresh = { rows: 3, cols: 2, data: Float64Array.from([0, 0, 1.5, 0, 20, 0]) };
  it("fit on training features, score new data; points of the fitted set find themselves at distance 0", async () => {
    const index = createNeighborIndex({ nNeighbors: 2 });
    await index.fit(line);
    const warnings: string[] = [];
    const ood = new OutOfDistribution({ knn: index }, { onWarning: (m) => warnings.push(m) });
    // fit_score with a given index warns and scores: distances [0, nearest other] → means [.5,.5,.5,.5,3.5], sf = .5
    const s = await ood.fitScore({ features: line });
    expect(warnings[0]).toMatch(/already been fit/);
    expect(ood.scalingFactor).toBe(0.5);
    expect(close(s, [Math.exp(-1), Math.exp(-1), Math.exp(-1), Math.exp(-1), Math.exp(-7)], 1e-12)).toBe(true);
    // new points against the training rows: [0,0] → (0+1)/2, [1.5,0] → (.5+.5)/2, [20,0] → (10+17)/2; stored sf
    const t = await ood.score({ features: fresh });
    expect(close(t, [Math.exp(-1), Math.exp(-1), Math.exp(-27)], 1e-12)).toBe(true);
  });
  it("k defaults to nNeighbors, a larger k is reduced with a warning, a smaller k averages fewer neighbours", async () => {
    const index = createNeighborIndex({ nNeighbors: 2 });
    await index.fit(line);
    const warnings: string[] = [];
    const big = new OutOfDistribution({ knn: index, k: 4 }, { onWarning: (m) => warnings.push(m) });
    const sBig = await big.score({ features: fresh });
    expect(warnings.some((w) => /cannot be greater than n_neighbors=2/.test(w))).toBe(true);
    // first scoring call fixes sf = median([.5, .5, 13.5]) = .5
    expect(close(sBig, [Math.exp(-1), Math.exp(-1), Math.exp(-27)], 1e-12)).toBe(true);
    // k = 1 against the same index: every training point is its own neighbour → all distances 0 → scores exactly 1
    const self = new OutOfDistribution({ knn: index, k: 1 });
    expect(Array.from(await self.score({ features: line }))).toEqual([1, 1, 1, 1, 1]);
  });
  it("an unfitted index is fitted on the features given; cosine index uses the cosine clean-up; bad index → error", async () => {
    const X = { rows: 6, cols: 4, data: Float64Array.from([1, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1]) };
    const index = createNeighborIndex({ nNeighbors: 2, metric: "cosine" });
    expect(index.fitted).toBe(false);
    const ood = new OutOfDistribution({ knn: index });
    const s = await ood.score({ features: X });
    expect(index.fitted).toBe(true);
    // self at 0 plus the nearest other (OOD-4's first distances): rows 0,1 → (0+0)/2 = 0 → score exactly 1
    expect(s[0]).toBe(1);
    expect(s[1]).toBe(1);
    // row 5: (0 + 0.5)/2 = .25; median of [0,0,.146447,.146447,.146447,.25] = .146447
    expect(s[5]).toBeCloseTo(Math.exp(-0.25 / ((1 - Math.SQRT1_2) / 2)), 12);
    expect(() => new OutOfDistribution({ knn: {} as never })).toThrow(/neighbour index/);
    await expect(createNeighborIndex().kneighbors(X)).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
