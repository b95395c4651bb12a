/**
 * Artifacts are the typed values that flow between nodes. A key is identified by its name, so two
 * packages that declare the same name share the artifact; its value type comes from {@link ArtifactMap}.
 */

/** A dense row-major float32 matrix: `data[r * cols + c]`. */
export interface Float32Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** k nearest neighbours of every row (self excluded unless `includesSelf`), row-major n×k. */
export interface KnnGraph {
  readonly rows: number;
  readonly k: number;
  readonly metric: "euclidean" | "cosine";
  /** Neighbour row indices, n×k, nearest first; ties broken by the lower index. */
  readonly indices: Int32Array;
  /** Distances matching `indices` (euclidean: L2 distance; cosine: 1 − cosine similarity). */
  readonly distances: Float32Array;
  /** Whether each row's own index is allowed as a neighbour. */
  readonly includesSelf: boolean;
  /** How the graph was built: `exact` brute force, or approximate `nndescent` / `hnsw`. */
  readonly method: "exact" | "nndescent" | "hnsw";
}

/**
 * The registry of artifact names and their value types. Packages add their own artifacts by
 * declaration merging:
 *
 * ```ts
 * declare module "@assay/core" {
 *   interface ArtifactMap { "images.stats": ImageStats }
 * }
 * ```
 */
export interface ArtifactMap {
  /** One embedding row per dataset sample. */
  embeddings: Float32Matrix;
  /** Out-of-sample predicted class probabilities, one row per sample, one column per class. */
  pred_probs: Float32Matrix;
  /** The shared k-nearest-neighbour graph over `embeddings`. */
  knn: KnnGraph;
}

/** Any artifact name: a known key of {@link ArtifactMap}, or any string for ad-hoc artifacts. */
export type ArtifactName = keyof ArtifactMap | (string & {});

/** The value type stored under an artifact name. */
export type ArtifactValue<N extends string> = N extends keyof ArtifactMap ? ArtifactMap[N] : unknown;

/** A typed handle on an artifact. Create one with {@link defineArtifact}. */
export interface ArtifactKey<N extends string = string, T = ArtifactValue<N>> {
  readonly name: N;
  /** Phantom field carrying the value type; never set at run time. */
  readonly __type?: T;
}

/**
 * Declare a typed artifact key. With a name from {@link ArtifactMap} the type is inferred;
 * for an ad-hoc artifact, pass the type: `defineArtifact<"my.scores", Float32Array>("my.scores")`.
 */
export function defineArtifact<N extends string, T = ArtifactValue<N>>(name: N): ArtifactKey<N, T> {
  if (!/^[a-z0-9][a-z0-9_.:/-]*$/i.test(name)) {
    throw new TypeError(`artifact name "${name}" must be non-empty and use letters, digits, "_", ".", ":", "/" or "-"`);
  }
  return Object.freeze({ name }) as ArtifactKey<N, T>;
}

/** The value type of an artifact key. */
export type ValueOf<K> = K extends ArtifactKey<string, infer T> ? T : never;

/** The object of inputs a node receives: one property per needed artifact, named by the key. */
export type InputsOf<Keys extends readonly ArtifactKey[]> = {
  [K in Keys[number] as K["name"]]: ValueOf<K>;
};

/** Keys for the artifacts every lens shares. */
export const artifacts = {
  embeddings: defineArtifact("embeddings"),
  predProbs: defineArtifact("pred_probs"),
  knn: defineArtifact("knn"),
} as const;
