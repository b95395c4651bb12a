import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { AssayError } from "@assay/core";
import { parse as parseYaml } from "yaml";
import { OntologyError } from "./errors.js";
import { Ontology, type ConceptInput } from "./ontology.js";

/**
 * Parse ontology text. JSON or YAML (YAML is a superset of JSON, so YAML parsing is used unless the
 * format says JSON). The document is a nested hierarchy, or `{ concepts: [{ id, label?, synonyms?, parents? }] }`.
 * @param source names the file in error messages.
 */
export function parseOntology(text: string, format: "json" | "yaml" = "yaml", source = "(text)"): Ontology {
  let data: unknown;
  try {
    data = format === "json" ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (cause) {
    throw new OntologyError(`${source}: not valid ${format.toUpperCase()}: ${cause instanceof Error ? cause.message : String(cause)}`, "ONTOLOGY_INVALID", {
      file: source,
    });
  }
  try {
    return isConceptList(data) ? Ontology.fromConcepts(data.concepts) : Ontology.fromHierarchy(data);
  } catch (error) {
    if (error instanceof OntologyError) {
      error.message = `${source}: ${error.message}`;
      (error.details as Record<string, unknown>).file = source;
    }
    throw error;
  }
}

/**
 * Read an ontology from a `.json`, `.yaml` or `.yml` file (see {@link parseOntology}).
 * @throws AssayError `IO_ERROR` when the file cannot be read; an {@link OntologyError} when it is invalid.
 */
export async function loadOntology(path: string): Promise<Ontology> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new AssayError("IO_ERROR", `cannot read ontology file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      plugin: "@assay/representation",
      stage: "loadOntology",
      details: { file: path },
      cause,
    });
  }
  return parseOntology(text, extname(path).toLowerCase() === ".json" ? "json" : "yaml", path);
}

function isConceptList(data: unknown): data is { concepts: ConceptInput[] } {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return false;
  const keys = Object.keys(data);
  const concepts = (data as { concepts?: unknown }).concepts;
  return keys.length === 1 && Array.isArray(concepts) && concepts.every((c) => typeof c === "object" && c !== null && "id" in c);
}
