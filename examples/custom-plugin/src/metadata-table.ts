import { defineArtifact, defineExtractor, z } from "@assay/core";

/** A metadata value as it can appear in a sample's `meta`. */
export type MetaValue = string | number | boolean | null;

/** Metadata columns, each an array with one value per dataset row (`null` where the row lacks it). */
export interface MetadataTable {
  readonly columns: Readonly<Record<string, readonly MetaValue[]>>;
}

declare module "@assay/core" {
  interface ArtifactMap {
    "metadata.table": MetadataTable;
  }
}

/** The artifact key other plugins can ask for. */
export const metadataTableKey = defineArtifact("metadata.table");

/**
 * Collects sample metadata into columns. With `columns` set, only those are kept; otherwise every key
 * that appears in any row. Objects and arrays are stored as their JSON text.
 */
export const metadataTable = defineExtractor({
  name: "metadata-table",
  version: "1",
  plugin: "assay-plugin-metadata-rules",
  description: "Collect per-sample metadata into columns",
  options: z.object({ columns: z.array(z.string().min(1)).optional() }),
  needs: [],
  provides: metadataTableKey,
  async run(ctx, _inputs, options) {
    const { dataset } = ctx;
    const wanted = options.columns ? new Set(options.columns) : undefined;
    const columns: Record<string, MetaValue[]> = {};
    for (const name of options.columns ?? []) columns[name] = new Array<MetaValue>(dataset.size).fill(null);
    for (let i = 0; i < dataset.size; i++) {
      for (const [key, raw] of Object.entries(dataset.sample(i).meta)) {
        if (wanted && !wanted.has(key)) continue;
        const column = (columns[key] ??= new Array<MetaValue>(dataset.size).fill(null));
        column[i] = toMetaValue(raw);
      }
      if (i % 1024 === 0) ctx.progress(i, dataset.size);
    }
    ctx.progress(dataset.size, dataset.size);
    return { columns };
  },
});

function toMetaValue(raw: unknown): MetaValue {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "string" || typeof raw === "boolean") return raw;
  if (typeof raw === "number") return Number.isNaN(raw) ? null : raw;
  return JSON.stringify(raw);
}
