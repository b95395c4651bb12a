import { readFile, rm, writeFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type AnyNode, AssayError, type Registry } from "@assay/core";
import { parse as parseYaml } from "yaml";

/** Per-node options, by node name. */
export type NodeOptionsMap = Record<string, Record<string, unknown>>;

/**
 * The shape of `assay.config.{json,mjs,js,yaml}`: options per detector and per extractor, by node name.
 * Naming an extractor also selects it as the provider of its artifact.
 */
export interface AssayConfig {
  detectors?: NodeOptionsMap;
  extractors?: NodeOptionsMap;
}

/** File extensions {@link loadConfig} reads. */
export const configExtensions = [".json", ".mjs", ".js", ".cjs", ".yaml", ".yml", ".ts", ".mts"] as const;

/**
 * Read a config file: JSON, YAML, or a JavaScript module whose default export (or `config` export) is
 * the config object. TypeScript configs load natively where Node strips types (Node ≥ 22.6), and on
 * older Node through esbuild when it is installed (an optional peer dependency); otherwise the error
 * says what to install or to use `.mjs`. The shape is checked; node options are checked later against
 * each node's schema by {@link configureNodes}.
 */
export async function loadConfig(path: string): Promise<AssayConfig> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  let value: unknown;
  if (ext === ".json" || ext === ".yaml" || ext === ".yml") {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new AssayError("IO_ERROR", `cannot read config ${path}: ${(error as Error).message}`, { details: { file }, cause: error });
    }
    try {
      value = ext === ".json" ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new AssayError("INVALID_INPUT", `config ${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`, {
        details: { file },
        cause: error,
      });
    }
  } else if ([".mjs", ".js", ".cjs", ".ts", ".mts"].includes(ext)) {
    const transpiled = (ext === ".ts" || ext === ".mts") && !canStripTypes() ? await transpileConfig(file, path) : undefined;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(transpiled ?? file).href)) as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(file);
      throw new AssayError(missing ? "IO_ERROR" : "INVALID_INPUT", `cannot load config ${path}: ${(error as Error).message.split("\n")[0]}`, {
        details: { file },
        cause: error,
      });
    } finally {
      if (transpiled) await rm(transpiled, { force: true });
    }
    value = mod.default ?? mod.config;
    if (value && typeof value === "object" && "default" in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
  } else {
    throw new AssayError("INVALID_INPUT", `config ${path} has an unknown extension; use one of ${configExtensions.join(", ")}`, { details: { file } });
  }
  return checkConfigShape(value, path);
}

/**
 * Compile a TypeScript config to a sibling `.mjs` file with esbuild (so its relative imports still
 * resolve) and return that file's path; the caller deletes it after importing.
 */
async function transpileConfig(file: string, path: string): Promise<string> {
  let esbuild: { transform(code: string, options: Record<string, unknown>): Promise<{ code: string }> };
  try {
    esbuild = (await import("esbuild")) as typeof esbuild;
  } catch {
    throw new AssayError(
      "INVALID_INPUT",
      `cannot load TypeScript config ${path} on Node ${process.versions.node}: install esbuild (npm install -D esbuild) so assay can compile it, or rename it to .mjs`,
      { details: { file } },
    );
  }
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    throw new AssayError("IO_ERROR", `cannot read config ${path}: ${(error as Error).message}`, { details: { file }, cause: error });
  }
  let code: string;
  try {
    code = (await esbuild.transform(source, { loader: "ts", format: "esm", sourcefile: file })).code;
  } catch (error) {
    throw new AssayError("INVALID_INPUT", `config ${path} is not valid TypeScript: ${(error as Error).message.split("\n")[0]}`, { details: { file }, cause: error });
  }
  const out = `${file}.${process.pid}.assay.mjs`;
  await writeFile(out, code);
  return out;
}

function canStripTypes(): boolean {
  const features = process.features as { typescript?: string | false };
  return typeof features.typescript === "string";
}

/** Check the outer shape of a config object; throws `INVALID_OPTION` naming the offending key. */
export function checkConfigShape(value: unknown, source = "config"): AssayConfig {
  const bad = (where: string, what: string) =>
    new AssayError("INVALID_OPTION", `${source}: ${where} ${what}`, { stage: "config", details: { option: where } });
  if (!isPlainObject(value)) throw bad("the config", "must be an object like { \"detectors\": { \"<name>\": { … } } }");
  const out: AssayConfig = {};
  for (const [key, section] of Object.entries(value)) {
    if (key === "$schema") continue;
    if (key !== "detectors" && key !== "extractors") throw bad(`"${key}"`, 'is not a config key; use "detectors" and "extractors"');
    if (!isPlainObject(section)) throw bad(`"${key}"`, "must be an object of node name → options");
    const nodes: NodeOptionsMap = {};
    for (const [name, opts] of Object.entries(section)) {
      if (opts === null || opts === true) nodes[name] = {};
      else if (!isPlainObject(opts)) throw bad(`"${key}.${name}"`, "must be an object of options");
      else nodes[name] = opts;
    }
    out[key] = nodes;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Nodes built from a config: each configured node created with its validated options. */
export interface ConfiguredNodes {
  detectors: Map<string, AnyNode>;
  extractors: Map<string, AnyNode>;
}

/**
 * Create every node the config names, validating its options with the node's own schema. A name no
 * installed plugin provides, a detector listed as an extractor (or the reverse), or a bad option is an
 * `INVALID_OPTION` error naming the node and the option.
 */
export function configureNodes(registry: Registry, config: AssayConfig): ConfiguredNodes {
  const out: ConfiguredNodes = { detectors: new Map(), extractors: new Map() };
  for (const section of ["detectors", "extractors"] as const) {
    const kind = section === "detectors" ? "detector" : "extractor";
    for (const [name, opts] of Object.entries(config[section] ?? {})) {
      const factory = registry.factory(name);
      if (!factory) {
        const installed = (kind === "detector" ? registry.detectors() : registry.extractors()).map((f) => f.nodeName).sort();
        throw new AssayError(
          "INVALID_OPTION",
          `config ${section}."${name}": no installed plugin provides ${kind === "extractor" ? "an" : "a"} ${kind} named "${name}" (installed ${section}: ${installed.join(", ") || "none"})`,
          { stage: "config", node: name, details: { option: `${section}.${name}` } },
        );
      }
      if (factory.kind !== kind) {
        throw new AssayError("INVALID_OPTION", `config ${section}."${name}": "${name}" is ${factory.kind === "detector" ? "a detector" : "an extractor"}; move it under "${factory.kind}s"`, {
          stage: "config",
          node: name,
          details: { option: `${section}.${name}` },
        });
      }
      out[section].set(name, factory(opts));
    }
  }
  return out;
}
