import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "@assay/core";

/** Packages of the `@assay` scope that are infrastructure, not plugins; discovery does not import them. */
export const notPlugins: readonly string[] = ["@assay/core", "@assay/config", "@assay/cli", "@assay/report"];

/** Options of {@link discoverPlugins}. */
export interface DiscoverOptions {
  /**
   * Folders to search from. Each folder and every ancestor is checked for a `node_modules` folder;
   * earlier folders win when two hold the same package. Default: the current directory.
   */
  from?: readonly string[];
  /** Also search every ancestor folder's `node_modules` (default true). */
  ancestors?: boolean;
  /** Package names never imported (default {@link notPlugins}). */
  skip?: readonly string[];
}

/** A plugin found in an installed package. */
export interface DiscoveredPlugin {
  /** npm package name. */
  packageName: string;
  /** Version from the package's package.json. */
  packageVersion: string;
  /** The package folder (symlinks resolved). */
  directory: string;
  plugin: Plugin;
  /** Everything the package's entry module exports (e.g. helpers the CLI uses when the package is installed). */
  module?: Readonly<Record<string, unknown>>;
}

/** What {@link discoverPlugins} found. */
export interface DiscoveryResult {
  /** Plugins, sorted by package name. */
  plugins: DiscoveredPlugin[];
  /** One line per package that looked like a plugin but could not be used, naming the package. */
  warnings: string[];
  /** `@assay/*` packages that were imported but export no plugin (libraries, not lenses). */
  ignored: string[];
}

interface Candidate {
  name: string;
  directory: string;
}

/**
 * Find installed assay plugins: every `@assay/*`, `assay-plugin-*` and `@scope/assay-plugin-*` package in
 * a `node_modules` folder reachable from the given folders (each folder and its ancestors). Each
 * package is imported; its `plugin` export (or a default export with `name` and `version`) is the
 * plugin. A package that fails to import or exports no plugin gives a warning, never an exception.
 */
export async function discoverPlugins(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const skip = new Set(options.skip ?? notPlugins);
  const candidates = new Map<string, Candidate>();
  const seenDirs = new Set<string>();
  for (const start of options.from ?? [process.cwd()]) {
    const folders = options.ancestors === false ? [join(resolve(start), "node_modules")] : ancestorsNodeModules(resolve(start));
    for (const nodeModules of folders) {
      if (seenDirs.has(nodeModules)) continue;
      seenDirs.add(nodeModules);
      for (const c of await listCandidates(nodeModules)) {
        if (!skip.has(c.name) && !candidates.has(c.name)) candidates.set(c.name, c);
      }
    }
  }

  const plugins: DiscoveredPlugin[] = [];
  const warnings: string[] = [];
  const ignored: string[] = [];
  const names = [...candidates.keys()].sort();
  for (const name of names) {
    const candidate = candidates.get(name)!;
    let directory = candidate.directory;
    let manifest: PackageJson;
    try {
      directory = await realpath(candidate.directory);
      manifest = JSON.parse(await readFile(join(directory, "package.json"), "utf8")) as PackageJson;
    } catch (error) {
      warnings.push(`plugin package ${name} (${candidate.directory}) has no readable package.json: ${reason(error)}`);
      continue;
    }
    const entry = entryOf(manifest);
    if (entry === undefined) {
      if (name.startsWith("@assay/")) ignored.push(name);
      else warnings.push(`plugin package ${name} has no importable entry point (package.json "exports"/"main")`);
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(join(directory, entry)).href)) as Record<string, unknown>;
    } catch (error) {
      warnings.push(`plugin package ${name} could not be loaded and was left out: ${reason(error)}`);
      continue;
    }
    const plugin = pluginOf(mod);
    if (!plugin) {
      if (name.startsWith("@assay/")) ignored.push(name);
      else warnings.push(`plugin package ${name} exports no plugin (expected \`export const plugin = definePlugin({...})\`) and was left out`);
      continue;
    }
    plugins.push({ packageName: name, packageVersion: manifest.version ?? plugin.version, directory, plugin, module: mod });
  }
  return { plugins, warnings, ignored };
}

/** The plugin object a module exports: `plugin`, or a default export that has a name and a version. */
export function pluginOf(mod: Record<string, unknown>): Plugin | undefined {
  for (const value of [mod.plugin, mod.default, (mod.default as Record<string, unknown> | undefined)?.plugin]) {
    if (isPlugin(value)) return value;
  }
  return undefined;
}

function isPlugin(value: unknown): value is Plugin {
  if (!value || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  const listOk = (x: unknown) => x === undefined || Array.isArray(x);
  return typeof v.name === "string" && typeof v.version === "string" && listOk(v.detectors) && listOk(v.extractors) && listOk(v.backends);
}

function* ancestorsNodeModules(start: string): Generator<string> {
  let dir = start;
  for (;;) {
    yield join(dir, "node_modules");
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

async function listCandidates(nodeModules: string): Promise<Candidate[]> {
  const out: Candidate[] = [];
  let entries: string[];
  try {
    entries = await readdir(nodeModules);
  } catch {
    return out;
  }
  for (const entry of entries.sort()) {
    if (entry.startsWith("assay-plugin-")) {
      if (await isDirectory(join(nodeModules, entry))) out.push({ name: entry, directory: join(nodeModules, entry) });
    } else if (entry.startsWith("@")) {
      let scoped: string[];
      try {
        scoped = await readdir(join(nodeModules, entry));
      } catch {
        continue;
      }
      for (const sub of scoped.sort()) {
        if (entry === "@assay" || sub.startsWith("assay-plugin-")) {
          const directory = join(nodeModules, entry, sub);
          if (await isDirectory(directory)) out.push({ name: `${entry}/${sub}`, directory });
        }
      }
    }
  }
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  module?: string;
  exports?: unknown;
}

const conditions = ["node", "import", "module", "default"];

/** The ESM entry of a package: `exports["."]` with import/node/default conditions, then `module`, then `main`. */
export function entryOf(manifest: PackageJson): string | undefined {
  const exp = manifest.exports;
  if (exp !== undefined && exp !== null) {
    const root = typeof exp === "string" || Array.isArray(exp) ? exp : (exp as Record<string, unknown>)["."] ?? (Object.keys(exp as object).some((k) => k.startsWith(".")) ? undefined : exp);
    const target = pickCondition(root);
    return target;
  }
  if (manifest.module) return manifest.module;
  if (manifest.main) return manifest.main;
  return "index.js";
}

function pickCondition(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = pickCondition(v);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (value && typeof value === "object") {
    for (const [cond, v] of Object.entries(value)) {
      if (conditions.includes(cond)) {
        const t = pickCondition(v);
        if (t !== undefined) return t;
      }
    }
  }
  return undefined;
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!;
}
