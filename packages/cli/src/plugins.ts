import { delimiter, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { AssayError, createRegistry, type Registry } from "@assay/core";
import { type DiscoveredPlugin, discoverPlugins, pluginOf } from "./discover.js";

/** Options of {@link buildRegistry}. */
export interface BuildRegistryOptions {
  /**
   * Folders to discover plugins from (default: the current directory and the CLI's own folder, each
   * with its ancestors). The environment variable `ASSAY_PLUGIN_PATH` (folders separated by the
   * platform's path delimiter) replaces the default with exactly those folders' `node_modules`.
   */
  from?: readonly string[];
  /** Extra plugin modules to load by path or package name (`--plugin`); failures here are errors. */
  modules?: readonly string[];
}

/** A registry of every discovered plugin plus what went wrong on the way. */
export interface LoadedPlugins {
  registry: Registry;
  plugins: DiscoveredPlugin[];
  /** Problems with individual plugins, one line each; they were left out. */
  warnings: string[];
}

/** The folder of this CLI's code (dist/ when built). */
export function cliDirectory(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * Discover installed plugins (from the working directory and from the CLI's own location), load any
 * explicitly named plugin modules, and register them all. A plugin whose node names clash with one
 * already registered is left out with a warning.
 */
export async function buildRegistry(options: BuildRegistryOptions = {}): Promise<LoadedPlugins> {
  const registry = createRegistry();
  const pinned = process.env.ASSAY_PLUGIN_PATH?.split(delimiter).filter(Boolean);
  const found = await discoverPlugins(
    options.from ? { from: options.from } : pinned?.length ? { from: pinned, ancestors: false } : { from: [process.cwd(), cliDirectory()] },
  );
  const warnings = [...found.warnings];
  const plugins: DiscoveredPlugin[] = [];
  for (const spec of options.modules ?? []) {
    const target = spec.startsWith(".") || spec.startsWith("/") ? pathToFileURL(resolve(spec)).href : spec;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(target)) as Record<string, unknown>;
    } catch (error) {
      throw new AssayError("IO_ERROR", `cannot load plugin ${spec}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
    }
    const plugin = pluginOf(mod);
    if (!plugin) throw new AssayError("INVALID_INPUT", `plugin module ${spec} exports no plugin (expected \`export const plugin = definePlugin({...})\`)`);
    found.plugins.push({ packageName: plugin.name, packageVersion: plugin.version, directory: spec, plugin, module: mod });
  }
  for (const p of found.plugins) {
    try {
      registry.use(p.plugin);
      plugins.push(p);
    } catch (error) {
      warnings.push(`plugin ${p.packageName} was left out: ${(error as Error).message}`);
    }
  }
  return { registry, plugins, warnings };
}
