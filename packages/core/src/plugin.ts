import type { InferenceBackend } from "./backend.js";
import type { DetectorFactory, ExtractorFactory } from "./nodes.js";

/**
 * A plugin bundles the node factories and backends one package contributes. Register it explicitly
 * with `registry.use(plugin)`; the CLI does that for every installed `@assay/*` or `assay-plugin-*`
 * package that exports `plugin`.
 */
export interface Plugin {
  /** Package name, e.g. `"@assay/duplicates"` or `"assay-plugin-metadata-rules"`. */
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  // biome-ignore lint: factories of any option schema
  readonly extractors?: readonly ExtractorFactory<any, any>[];
  // biome-ignore lint: factories of any option schema
  readonly detectors?: readonly DetectorFactory<any, any>[];
  readonly backends?: readonly InferenceBackend[];
  /** Named groups of detector names run together, e.g. `{ datalab: ["label", "outlier", …] }`. */
  readonly presets?: Readonly<Record<string, readonly string[]>>;
}

/** Identity helper that type-checks a plugin object. */
export function definePlugin<const P extends Plugin>(plugin: P): P {
  return Object.freeze(plugin);
}
