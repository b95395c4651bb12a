import { type AnyNodeFactory, optionsJsonSchema, type Registry } from "@assay/core";
import type { DiscoveredPlugin } from "./discover.js";

/** One option of a node, read from its JSON Schema. */
export interface OptionInfo {
  name: string;
  /** A short type: `number`, `string`, `"a" | "b"`, `boolean[]`, … */
  type: string;
  required: boolean;
  /** Whether `default` holds a value. */
  hasDefault: boolean;
  default?: unknown;
  description?: string;
}

/** A node as `assay list` shows it. */
export interface NodeInfo {
  name: string;
  kind: "detector" | "extractor";
  version: string;
  description?: string;
  needs: string[];
  wants: string[];
  provides?: string;
  options: OptionInfo[];
  /** The full JSON Schema of the options. */
  schema: Record<string, unknown>;
}

/** A plugin as `assay list` shows it. */
export interface PluginInfo {
  name: string;
  version: string;
  package: string;
  description?: string;
  detectors: NodeInfo[];
  extractors: NodeInfo[];
  backends: { name: string; formats: string[] }[];
  presets: Record<string, string[]>;
}

/** Describe every registered plugin, its nodes and their options. */
export function describePlugins(registry: Registry, discovered: readonly DiscoveredPlugin[]): PluginInfo[] {
  return registry.plugins().map((plugin) => {
    const pkg = discovered.find((d) => d.plugin === plugin)?.packageName ?? plugin.name;
    const info: PluginInfo = {
      name: plugin.name,
      version: plugin.version,
      package: pkg,
      detectors: (plugin.detectors ?? []).map(describeNode),
      extractors: (plugin.extractors ?? []).map(describeNode),
      backends: (plugin.backends ?? []).map((b) => ({ name: b.name, formats: [...b.formats] })),
      presets: Object.fromEntries(Object.entries(plugin.presets ?? {}).map(([k, v]) => [k, [...v]])),
    };
    if (plugin.description !== undefined) info.description = plugin.description;
    return info;
  });
}

/** Describe one node factory from its metadata and options schema. */
export function describeNode(factory: AnyNodeFactory): NodeInfo {
  const schema = optionsJsonSchema(factory.schema);
  const info: NodeInfo = {
    name: factory.nodeName,
    kind: factory.kind,
    version: factory.version,
    needs: factory.needs.map((k) => k.name),
    wants: factory.wants.map((k) => k.name),
    options: optionsOf(schema),
    schema,
  };
  if (factory.description !== undefined) info.description = factory.description;
  if (factory.provides) info.provides = factory.provides.name;
  return info;
}

function optionsOf(schema: Record<string, unknown>): OptionInfo[] {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const o: OptionInfo = { name, type: typeOf(s), required: required.has(name) && !("default" in s), hasDefault: "default" in s };
    if ("default" in s) o.default = s.default;
    if (typeof s.description === "string") o.description = s.description;
    return o;
  });
}

/** A one-line type from a JSON Schema fragment. */
export function typeOf(s: Record<string, unknown>): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in s) return JSON.stringify(s.const);
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(s[key])) return (s[key] as Record<string, unknown>[]).map(typeOf).join(" | ");
  }
  if (s.type === "array") {
    const item = s.items ? typeOf(s.items as Record<string, unknown>) : "unknown";
    return item.includes(" | ") ? `(${item})[]` : `${item}[]`;
  }
  if (s.type === "object") {
    const extra = s.additionalProperties;
    if (extra && typeof extra === "object") return `{ [key]: ${typeOf(extra as Record<string, unknown>)} }`;
    return "object";
  }
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (typeof s.type === "string") {
    // zod's int() adds ±MAX_SAFE_INTEGER bounds; they say nothing to a reader
    const bound = (v: unknown) => v !== undefined && Math.abs(Number(v)) !== Number.MAX_SAFE_INTEGER;
    const range = [
      bound(s.minimum) ? `≥${s.minimum}` : "",
      bound(s.exclusiveMinimum) ? `>${s.exclusiveMinimum}` : "",
      bound(s.maximum) ? `≤${s.maximum}` : "",
      bound(s.exclusiveMaximum) ? `<${s.exclusiveMaximum}` : "",
    ].filter(Boolean);
    return range.length ? `${s.type} ${range.join(" ")}` : s.type;
  }
  return "any";
}

/** `assay list` as text. */
export function renderPluginList(plugins: readonly PluginInfo[]): string {
  if (plugins.length === 0) return "No assay plugins are installed. Install lenses such as @assay/duplicates or @assay/label-issues next to your project.\n";
  const out: string[] = [];
  for (const p of plugins) {
    out.push(`${p.name} ${p.version}${p.package !== p.name ? ` (package ${p.package})` : ""}${p.description ? ` — ${p.description}` : ""}`);
    for (const n of [...p.detectors, ...p.extractors]) {
      const io = [n.needs.length ? `needs ${n.needs.join(", ")}` : "", n.wants.length ? `wants ${n.wants.join(", ")}` : "", n.provides ? `provides ${n.provides}` : ""].filter(Boolean).join("; ");
      out.push(`  ${n.kind} ${n.name} v${n.version}${n.description ? ` — ${n.description}` : ""}`);
      if (io) out.push(`    ${io}`);
      for (const o of n.options) {
        const dflt = o.hasDefault ? ` = ${JSON.stringify(o.default)}` : o.required ? " (required)" : "";
        out.push(`    ${o.name}: ${o.type}${dflt}${o.description ? `  ${o.description}` : ""}`);
      }
    }
    for (const b of p.backends) out.push(`  backend ${b.name} (${b.formats.join(", ")})`);
    for (const [name, members] of Object.entries(p.presets)) out.push(`  preset ${name}: ${members.join(", ")}`);
    out.push("");
  }
  return out.join("\n");
}
