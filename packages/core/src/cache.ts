/**
 * Where extractor outputs are kept between runs. Keys are hex strings derived from the dataset
 * fingerprint, the node's name, version and options, and the keys of its inputs.
 */
export interface ArtifactCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

/** An in-memory cache that lives as long as the object (share one across runs to reuse artifacts). */
export function memoryCache(): ArtifactCache & { readonly size: number } {
  const store = new Map<string, unknown>();
  return {
    get size() {
      return store.size;
    },
    async get(key) {
      return store.get(key);
    },
    async set(key, value) {
      store.set(key, value);
    },
  };
}
