import { artifacts, AssayError, type Dataset, defineArtifact, defineDetector, defineExtractor, type FindingInput, type KnnGraph, z } from "@assay/core";
import { type ImageStats, imageStatsArtifact } from "@assay/linter";
import { bucketGroups, compareLists, type MergedGroup, mergeGroups, NEAR_METHOD_ORDER, pairComponents, type RawGroup } from "./grouping.js";

const PLUGIN = "@assay/duplicates";
type HashMethod = "phash" | "dhash" | "phash_d4" | "dhash_d4";

const HASH_NAMES = ["phash", "dhash", "phash_d4", "dhash_d4"] as const;

/** Descriptions of the grouping options, shared by the extractor's and the detector's schemas. */
const DOC = {
  hashes: "Perceptual hashes whose exact equality makes near duplicates (DataEval's basic set by default).",
  exact: "Report exact duplicates (identical decoded pixels and shape).",
  fileBytes: "Also group images whose encoded files are byte-identical (needs `dataset.imageBytes`).",
  merge: "Merge overlapping near groups of different methods into one group (DataEval's default).",
  perBox: "Group box crops too (level \"target\") when the stats have box rows.",
  embeddingDistance: "Embedding near duplicates: neighbours in the shared `knn` artifact closer than this distance (same metric as the graph) are linked. Off when absent.",
  leakage: "Report groups whose members fall in different named splits as `leakage`.",
};

/** Options of {@link duplicateGroups} and {@link groupDuplicates}: how duplicates are grouped. */
export const duplicateGroupsOptions = z.object({
  hashes: z.array(z.enum(HASH_NAMES)).default(["phash", "dhash"]).describe(DOC.hashes),
  exact: z.boolean().default(true).describe(DOC.exact),
  fileBytes: z.boolean().default(true).describe(DOC.fileBytes),
  merge: z.boolean().default(true).describe(DOC.merge),
  perBox: z.boolean().default(true).describe(DOC.perBox),
  embeddingDistance: z.number().nonnegative().optional().describe(DOC.embeddingDistance),
});

/** Grouping options after defaults. */
export type DuplicateGroupingOptions = z.output<typeof duplicateGroupsOptions>;

/** The grouping option names (everything but `leakage`). */
const GROUPING_KEYS = ["hashes", "exact", "fileBytes", "merge", "perBox", "embeddingDistance"] as const;

/** All options of {@link findDuplicates}: the grouping options plus `leakage`. */
export const duplicatesOptions = duplicateGroupsOptions.extend({
  leakage: z.boolean().default(true).describe(DOC.leakage),
});

/**
 * Options of the {@link duplicates} detector. The grouping options have no defaults here: left out, the
 * detector takes the groups of the `duplicates.groups` artifact as they are (or, without that artifact,
 * groups with the defaults of {@link duplicateGroupsOptions}); set, they must match the artifact's or the
 * detector regroups with them.
 */
export const duplicatesDetectorOptions = z.object({
  hashes: z.array(z.enum(HASH_NAMES)).optional().describe(`${DOC.hashes} Default: the duplicates.groups artifact's, else ["phash", "dhash"].`),
  exact: z.boolean().optional().describe(`${DOC.exact} Default: the artifact's, else true.`),
  fileBytes: z.boolean().optional().describe(`${DOC.fileBytes} Default: the artifact's, else true.`),
  merge: z.boolean().optional().describe(`${DOC.merge} Default: the artifact's, else true.`),
  perBox: z.boolean().optional().describe(`${DOC.perBox} Default: the artifact's, else true.`),
  embeddingDistance: z.number().nonnegative().optional().describe(DOC.embeddingDistance),
  leakage: z.boolean().default(true).describe(DOC.leakage),
});

/**
 * The `duplicates.groups` artifact: every duplicate group of the dataset, computed once by the
 * {@link duplicateGroups} extractor and shared by the `duplicates` detector and other lenses (the
 * conflicting-duplicates check of @assay/insights).
 */
export interface DuplicateGroups {
  /** Rows of the dataset the groups index into. */
  size: number;
  /** The grouping options the groups were made with (after defaults). */
  options: DuplicateGroupingOptions;
  /**
   * Every group in id order (item exact, item near, box exact, box near); `items` are sample indices,
   * `kind` says what found the group. No `splits` here: split information is added by the detector.
   */
  groups: DuplicateGroup[];
}

declare module "@assay/core" {
  interface ArtifactMap {
    /** Duplicate groups of the dataset (@assay/duplicates' `duplicate-groups` extractor). */
    "duplicates.groups": DuplicateGroups;
  }
}

/** Typed key of the `duplicates.groups` artifact. */
export const duplicateGroupsArtifact = defineArtifact("duplicates.groups");

/** What found a duplicate group (see {@link DuplicateGroup.kind}). */
export type DuplicateKind = "exact" | "near" | "embedding";

/** One duplicate group. */
export interface DuplicateGroup {
  /** 0, 1, … in the order: item exact, item near, target exact, target near. */
  id: number;
  level: "item" | "target";
  type: "exact" | "near";
  /**
   * What found the group: `"exact"` (identical pixels or file bytes), `"near"` (equal perceptual hashes,
   * possibly also close embeddings) or `"embedding"` (close embeddings only).
   */
  kind: DuplicateKind;
  /** Image indices (one per member; repeated for several boxes of one image). */
  items: number[];
  /** Box indices aligned with `items` (target level only). */
  targets?: number[];
  /** `["xxhash"]` / `["file"]` for exact groups; hash names and/or `"embedding"` for near groups. */
  methods: string[];
  /** When basic and D4 hashes were both used: `"rotated"` if only D4 hashes matched. */
  orientation?: "same" | "rotated";
  /** Split → members in it, when the dataset has splits. */
  splits?: Record<string, number[]>;
}

/** The detector's result. */
export interface DuplicatesResult {
  groups: DuplicateGroup[];
  /** DataEval's accessors: exact member lists, near (members, methods) of the item level. */
  exact: number[][];
  near: { members: number[]; methods: string[] }[];
  /** Group ids whose members span more than one split. */
  leakage: number[];
  /**
   * Where the detector's groups came from: the shared `duplicates.groups` artifact, `computed` here (no
   * artifact), or `regrouped` (the artifact was made with other grouping options).
   */
  source?: "duplicates.groups" | "computed" | "regrouped";
}

interface LevelRows {
  /** Member id per entry (item index at item level, stats row at target level). */
  ids: Int32Array;
}

/** Group rows of the `images.stats` artifact into duplicate sets (the detector without the pipeline). */
export function findDuplicates(
  stats: ImageStats,
  options: z.output<typeof duplicatesOptions>,
  extras: { knn?: KnnGraph | undefined; splitOf?: (item: number) => string | undefined } = {},
): DuplicatesResult {
  return duplicatesResultOf(groupDuplicates(stats, options, extras.knn), { leakage: options.leakage, ...(extras.splitOf ? { splitOf: extras.splitOf } : {}) });
}

/**
 * The grouping step alone: every duplicate group (item exact, item near, box exact, box near, in id
 * order) of the `images.stats` rows, without split information. Deterministic for the same input.
 */
export function groupDuplicates(stats: ImageStats, options: DuplicateGroupingOptions, knn?: KnnGraph): DuplicateGroup[] {
  const h = stats.hashes;
  for (const m of options.hashes) {
    if (h[m] === null) {
      throw new AssayError(
        "INVALID_INPUT",
        `duplicates: hash "${m}" is not in images.stats; run imageStats({ hashes: "${m.endsWith("_d4") ? "all" : "basic"}" })`,
        { plugin: PLUGIN, node: "duplicates", details: { option: "hashes" } },
      );
    }
  }
  const hashOrder = NEAR_METHOD_ORDER.filter((m): m is HashMethod => m !== "embedding" && options.hashes.includes(m as HashMethod));
  const rowOfItem = new Int32Array(stats.images).fill(-1);
  const itemIds: number[] = [];
  const targetIds: number[] = [];
  for (let r = 0; r < stats.rows; r++) {
    if (stats.valid[r] !== 1) continue;
    if (stats.target[r] === -1) {
      rowOfItem[stats.item[r]!] = r;
      itemIds.push(stats.item[r]!);
    } else if (options.perBox) targetIds.push(r);
  }
  const exactKey = (row: number) => (h.xxhash[row] ? `${h.xxhash[row]}:${h.shape[row * 3]}:${h.shape[row * 3 + 1]}:${h.shape[row * 3 + 2]}` : "");
  const orientationOn = hashOrder.some((m) => m === "phash" || m === "dhash") && hashOrder.some((m) => m.endsWith("_d4"));

  const groups: DuplicateGroup[] = [];
  const runLevel = (level: "item" | "target", rows: LevelRows, rowOf: (id: number) => number, embedding: number[][]) => {
    const exact: RawGroup[] = [];
    if (options.exact) {
      for (const g of bucketGroups(rows.ids, (id) => exactKey(rowOf(id)))) exact.push({ members: g, method: "xxhash" });
      if (level === "item" && options.fileBytes && h.file) {
        const file = h.file;
        const pixelGroupOf = groupIndex(exact.map((g) => g.members));
        const allImages = Int32Array.from({ length: stats.images }, (_, i) => i);
        for (const g of bucketGroups(allImages, (id) => file[id] ?? "")) {
          if (!isSubset(g, pixelGroupOf)) exact.push({ members: g, method: "file" });
        }
      }
    }
    const exactOf = groupIndex(exact.filter((g) => g.method === "xxhash").map((g) => g.members));
    const near: RawGroup[] = [];
    for (const m of hashOrder) {
      const col = h[m]!;
      for (const g of bucketGroups(rows.ids, (id) => col[rowOf(id)] ?? "")) if (!isSubset(g, exactOf)) near.push({ members: g, method: m });
    }
    for (const g of embedding) if (!isSubset(g, exactOf)) near.push({ members: g, method: "embedding" });
    const exactOut = exact.map((g) => ({ members: g.members, methods: [g.method] })).sort((a, b) => compareLists(a.members, b.members));
    const nearOut = mergeGroups(near, options.merge);
    const emit = (type: "exact" | "near", list: MergedGroup[]) => {
      for (const g of list) {
        const kind: DuplicateKind = type === "exact" ? "exact" : g.methods.every((m) => m === "embedding") ? "embedding" : "near";
        const group: DuplicateGroup = { id: groups.length, level, type, kind, items: [], methods: g.methods };
        if (level === "item") group.items = g.members;
        else {
          group.items = g.members.map((r) => stats.item[r]!);
          group.targets = g.members.map((r) => stats.target[r]!);
        }
        if (type === "near" && orientationOn) {
          const basic = g.methods.some((m) => m === "phash" || m === "dhash");
          group.orientation = !basic && g.methods.some((m) => m.endsWith("_d4")) ? "rotated" : "same";
        }
        groups.push(group);
      }
    };
    emit("exact", exactOut);
    emit("near", nearOut);
  };

  let embeddingGroups: number[][] = [];
  if (options.embeddingDistance !== undefined && knn) {
    const g = knn;
    if (g.rows !== stats.images) {
      throw new AssayError("INVALID_INPUT", `duplicates: knn graph has ${g.rows} rows but the dataset has ${stats.images} images`, {
        plugin: PLUGIN,
        node: "duplicates",
      });
    }
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < g.rows; i++) {
      for (let j = 0; j < g.k; j++) {
        const nb = g.indices[i * g.k + j]!;
        if (nb < 0 || nb === i) continue;
        if (g.distances[i * g.k + j]! <= options.embeddingDistance) {
          a.push(i);
          b.push(nb);
        }
      }
    }
    embeddingGroups = pairComponents(g.rows, a, b);
  }
  runLevel("item", { ids: Int32Array.from(itemIds) }, (id) => rowOfItem[id]!, embeddingGroups);
  if (options.perBox && targetIds.length > 0) runLevel("target", { ids: Int32Array.from(targetIds) }, (id) => id, []);
  return groups;
}

/**
 * The detector's result from grouped duplicates: copies of the groups with their `splits` (when
 * `splitOf` is given), the ids of groups spanning several splits (when `leakage` is on), and DataEval's
 * `exact` / `near` accessors. The input groups are not modified.
 */
export function duplicatesResultOf(
  grouped: readonly DuplicateGroup[],
  options: { leakage: boolean; splitOf?: (item: number) => string | undefined },
): DuplicatesResult {
  const groups = grouped.map((g) => {
    const group: DuplicateGroup = { ...g };
    delete group.splits;
    if (options.splitOf) {
      const splits: Record<string, number[]> = {};
      for (const item of group.items) {
        const s = options.splitOf(item);
        if (s === undefined) continue;
        const list = (splits[s] ??= []);
        if (!list.includes(item)) list.push(item);
      }
      if (Object.keys(splits).length > 0) group.splits = splits;
    }
    return group;
  });
  const leakage = options.leakage ? groups.filter((g) => g.splits && Object.keys(g.splits).length > 1).map((g) => g.id) : [];
  const itemGroups = groups.filter((g) => g.level === "item");
  return {
    groups,
    exact: itemGroups.filter((g) => g.type === "exact").map((g) => g.items),
    near: itemGroups.filter((g) => g.type === "near").map((g) => ({ members: g.items, methods: g.methods })),
    leakage,
  };
}

function groupIndex(groups: readonly (readonly number[])[]): Map<number, number> {
  const m = new Map<number, number>();
  groups.forEach((g, k) => {
    for (const id of g) m.set(id, k);
  });
  return m;
}

function isSubset(group: readonly number[], index: Map<number, number>): boolean {
  const first = index.get(group[0]!);
  return first !== undefined && group.every((id) => index.get(id) === first);
}

/** Split name per image from the dataset's split index. @internal */
export function splitLookup(dataset: Dataset): ((item: number) => string | undefined) | undefined {
  const names = Object.keys(dataset.splits);
  if (names.length === 0) return undefined;
  const of = new Array<string | undefined>(dataset.size);
  for (const name of names) for (const r of dataset.splits[name]!) of[r] = name;
  return (item) => of[item];
}

function describeMembers(g: DuplicateGroup): string {
  const parts = g.items.map((it, k) => (g.targets ? `${it}/box ${g.targets[k]}` : String(it)));
  return parts.length > 6 ? `${parts.slice(0, 6).join(", ")}, … (${parts.length} in all)` : parts.join(", ");
}

function toFindings(result: DuplicatesResult): FindingInput[] {
  const findings: FindingInput[] = [];
  for (const g of result.groups) {
    const items = [...new Set(g.items)];
    const how = g.type === "exact" ? (g.methods[0] === "file" ? "identical files" : "identical pixels") : `equal ${g.methods.join(", ")}`;
    const data: Record<string, unknown> = { group: g.id, level: g.level, methods: g.methods, size: g.items.length };
    if (g.targets) data.targets = g.targets;
    if (g.orientation) data.orientation = g.orientation;
    if (g.splits) data.splits = g.splits;
    findings.push({
      type: g.level === "target" ? "box_duplicate" : g.type === "exact" ? "exact_duplicate" : "near_duplicate",
      indices: items,
      score: g.items.length,
      severity: g.type === "exact" ? "warning" : "info",
      message: `${g.level === "target" ? `${g.type} duplicate boxes` : `${g.type} duplicates`} (${how}${g.orientation === "rotated" ? ", rotated/flipped" : ""}): ${describeMembers(g)}`,
      data: { ...data, dupType: g.type },
    });
  }
  for (const id of result.leakage) {
    const g = result.groups[id]!;
    const splits = g.splits!;
    findings.push({
      type: "leakage",
      indices: [...new Set(g.items)],
      score: g.items.length,
      severity: "error",
      message: `${g.type} duplicate${g.level === "target" ? " boxes" : "s"} across splits ${Object.entries(splits)
        .map(([s, m]) => `${s} [${m.join(", ")}]`)
        .join(" vs ")}`,
      data: { group: g.id, level: g.level, dupType: g.type, methods: g.methods, splits },
    });
  }
  return findings;
}

const DEFAULT_HASHES: readonly string[] = ["phash", "dhash"];

/**
 * Extractor providing `duplicates.groups`: groups the rows of `images.stats` (exact, near by perceptual
 * hash, near by embedding distance on the shared `knn` graph when `embeddingDistance` is set) once, for
 * every lens that reads duplicate groups. Needs `images.stats`; wants `knn`. Its output depends on the
 * pixels only (`readsLabels: false`), so a cached copy survives a relabel. With the default `hashes`,
 * hashes that `images.stats` lacks (`imageStats({ hashes: "none" })`) are left out with a warning.
 */
export const duplicateGroups = defineExtractor({
  name: "duplicate-groups",
  version: "1.0.0",
  plugin: PLUGIN,
  description: "Exact, near (perceptual hash) and embedding duplicate groups, computed once and shared",
  options: duplicateGroupsOptions,
  needs: [imageStatsArtifact],
  wants: [artifacts.knn],
  provides: duplicateGroupsArtifact,
  readsLabels: false,
  async run(ctx, inputs, options): Promise<DuplicateGroups> {
    const stats = inputs["images.stats"];
    let grouping = options;
    const isDefault = options.hashes.length === DEFAULT_HASHES.length && options.hashes.every((h, i) => h === DEFAULT_HASHES[i]);
    const missing = options.hashes.filter((h) => stats.hashes[h] === null);
    if (isDefault && missing.length > 0) {
      ctx.warn(`images.stats has no ${missing.join(", ")} hash; near duplicates by those hashes skipped`);
      grouping = { ...options, hashes: options.hashes.filter((h) => !missing.includes(h)) };
    }
    if (grouping.embeddingDistance !== undefined && !inputs.knn) ctx.warn("embeddingDistance is set but no knn artifact is available; embedding duplicates skipped");
    return { size: ctx.dataset.size, options: grouping, groups: groupDuplicates(stats, grouping, inputs.knn) };
  },
});

function sameOption(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * Whether a `duplicates.groups` value can stand for the grouping the detector's options ask for: same
 * dataset size, and every grouping option the detector sets equals the artifact's.
 */
export function groupsMatch(value: DuplicateGroups, options: Partial<DuplicateGroupingOptions>, size: number): boolean {
  if (value.size !== size) return false;
  return GROUPING_KEYS.every((k) => options[k] === undefined || sameOption(options[k], value.options[k]));
}

/**
 * Detector: exact duplicates (identical decoded pixels, identical file bytes), near duplicates by
 * equal perceptual hashes and/or close embeddings (shared `knn` artifact), per-box duplicates on
 * detection datasets, grouped into duplicate sets; groups that cross named splits are also reported
 * as `leakage`. Needs `images.stats` (from @assay/linter's `imageStats()`); wants `duplicates.groups`
 * (reused as is when its grouping options agree with the ones set here, see
 * {@link duplicatesDetectorOptions}) and `knn`.
 */
export const duplicates = defineDetector({
  name: "duplicates",
  version: "1.1.0",
  plugin: PLUGIN,
  description: "Exact and near duplicate images and boxes, and duplicates leaking across splits",
  options: duplicatesDetectorOptions,
  needs: [imageStatsArtifact],
  wants: [duplicateGroupsArtifact, artifacts.knn],
  async run(ctx, inputs, options) {
    const knn = inputs.knn;
    const shared = inputs["duplicates.groups"];
    let grouped: readonly DuplicateGroup[];
    let source: DuplicatesResult["source"];
    if (shared && groupsMatch(shared, options, ctx.dataset.size)) {
      grouped = shared.groups;
      source = "duplicates.groups";
    } else {
      const explicit = Object.fromEntries(GROUPING_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
      const grouping = duplicateGroupsOptions.parse(explicit);
      if (grouping.embeddingDistance !== undefined && !knn) ctx.warn("embeddingDistance is set but no knn artifact is available; embedding duplicates skipped");
      grouped = groupDuplicates(inputs["images.stats"], grouping, knn);
      source = shared ? "regrouped" : "computed";
    }
    const splitOf = splitLookup(ctx.dataset);
    const result: DuplicatesResult = { ...duplicatesResultOf(grouped, { leakage: options.leakage, ...(splitOf ? { splitOf } : {}) }), source };
    const findings = toFindings(result);
    const itemGroups = result.groups.filter((g) => g.level === "item");
    const count = (level: string, type: string) => result.groups.filter((g) => g.level === level && g.type === type).length;
    const redundant = itemGroups.filter((g) => g.type === "exact").reduce((a, g) => a + g.items.length - 1, 0);
    return {
      result,
      findings,
      summary: {
        exact_groups: count("item", "exact"),
        near_groups: count("item", "near"),
        box_exact_groups: count("target", "exact"),
        box_near_groups: count("target", "near"),
        redundant_exact_images: redundant,
        leakage_groups: result.leakage.length,
      },
    };
  },
});

/**
 * DataEval's seed-era `Duplicates().evaluate` grouping (duplicates.md §10): exact = buckets of equal
 * exact hashes (≥ 2 members), near = buckets of equal `pchash` that are not inside one exact group;
 * both sorted.
 */
export function legacyDuplicates(hashes: { xxhash: readonly string[]; pchash: readonly string[] }): { exact: number[][]; near: number[][] } {
  const ids = Int32Array.from(hashes.xxhash, (_, i) => i);
  const exact = bucketGroups(ids, (i) => hashes.xxhash[i]!);
  const exactOf = groupIndex(exact);
  const near = bucketGroups(ids, (i) => hashes.pchash[i]!).filter((g) => !isSubset(g, exactOf));
  return { exact, near };
}
