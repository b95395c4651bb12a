import type { BackendQuery, Device, InferenceBackend } from "./backend.js";
import { AssayError } from "./errors.js";
import type { AnyNodeFactory, DetectorFactory, ExtractorFactory } from "./nodes.js";
import type { Plugin } from "./plugin.js";

const deviceRank: Record<Device, number> = { gpu: 0, cpu: 1, wasm: 2 };

/**
 * Holds what is installed: plugins, their node factories and inference backends. Nothing is
 * registered implicitly; call {@link Registry.use} for each plugin.
 */
export class Registry {
  private readonly pluginList: Plugin[] = [];
  private readonly factories = new Map<string, AnyNodeFactory>();
  private readonly backendMap = new Map<string, InferenceBackend>();
  private readonly presetMap = new Map<string, readonly string[]>();

  /**
   * Register a plugin. Registering the same plugin object again does nothing; a different plugin
   * whose node or backend names clash with registered ones throws `DUPLICATE_NODE`.
   */
  use(plugin: Plugin): this {
    if (this.pluginList.includes(plugin)) return this;
    const clash = (kind: string, name: string, owner: string | undefined) =>
      new AssayError(
        "DUPLICATE_NODE",
        `plugin "${plugin.name}" registers ${kind} "${name}", which "${owner ?? "another plugin"}" already registered`,
        { plugin: plugin.name, details: { name } },
      );
    const nodes = [...(plugin.extractors ?? []), ...(plugin.detectors ?? [])];
    for (const f of nodes) {
      const existing = this.factories.get(f.nodeName);
      if (existing) throw clash("node", f.nodeName, existing.plugin);
    }
    for (const b of plugin.backends ?? []) if (this.backendMap.has(b.name)) throw clash("backend", b.name, undefined);
    for (const f of nodes) this.factories.set(f.nodeName, f);
    for (const b of plugin.backends ?? []) this.backendMap.set(b.name, b);
    for (const [name, members] of Object.entries(plugin.presets ?? {})) this.presetMap.set(name, members);
    this.pluginList.push(plugin);
    return this;
  }

  /** Registered plugins, in registration order. */
  plugins(): readonly Plugin[] {
    return [...this.pluginList];
  }

  /** Every registered detector factory. */
  detectors(): DetectorFactory[] {
    return [...this.factories.values()].filter((f): f is DetectorFactory => f.kind === "detector");
  }

  /** Every registered extractor factory. */
  extractors(): ExtractorFactory[] {
    return [...this.factories.values()].filter((f): f is ExtractorFactory => f.kind === "extractor");
  }

  /** A node factory by node name. */
  factory(name: string): AnyNodeFactory | undefined {
    return this.factories.get(name);
  }

  /** Extractor factories whose nodes provide the artifact `name`. */
  providersOf(name: string): ExtractorFactory[] {
    return this.extractors().filter((f) => f.provides?.name === name);
  }

  /** Named detector groups contributed by plugins. */
  presets(): Readonly<Record<string, readonly string[]>> {
    return Object.fromEntries(this.presetMap);
  }

  /** Every registered backend. */
  backends(): readonly InferenceBackend[] {
    return [...this.backendMap.values()];
  }

  /**
   * Choose a backend by name or capability. Without a name, among backends that load `format` (and
   * run on `device`, when given), the one with the best device wins: GPU, then CPU, then wasm; on a tie, the one registered first.
   * Throws `BACKEND_NOT_FOUND` listing what is registered.
   */
  async backend(query: BackendQuery = {}): Promise<InferenceBackend> {
    const registered = [...this.backendMap.values()];
    const describe = () =>
      registered.length ? `registered: ${registered.map((b) => `${b.name} (${b.formats.join(", ")})`).join("; ")}` : "no backend is registered; install @assay/backend-onnx or @assay/backend-tfjs and registry.use() its plugin";
    if (query.name !== undefined) {
      const named = this.backendMap.get(query.name);
      if (!named) throw new AssayError("BACKEND_NOT_FOUND", `no inference backend named "${query.name}": ${describe()}`, { details: { ...query } });
      if (query.format !== undefined && !named.formats.includes(query.format)) {
        throw new AssayError("BACKEND_NOT_FOUND", `backend "${named.name}" does not load "${query.format}" models (it loads ${named.formats.join(", ")})`, { details: { ...query } });
      }
      if (query.device !== undefined && !(await named.devices()).includes(query.device)) {
        throw new AssayError("BACKEND_NOT_FOUND", `backend "${named.name}" cannot run on ${query.device} here`, { details: { ...query } });
      }
      return named;
    }
    let best: { backend: InferenceBackend; rank: number } | undefined;
    for (const b of registered) {
      if (query.format !== undefined && !b.formats.includes(query.format)) continue;
      const devices = await b.devices();
      const usable = query.device === undefined ? devices : devices.filter((d) => d === query.device);
      if (usable.length === 0) continue;
      const rank = Math.min(...usable.map((d) => deviceRank[d]));
      if (!best || rank < best.rank) best = { backend: b, rank };
    }
    if (!best) {
      const wanted = [query.format && `format "${query.format}"`, query.device && `device "${query.device}"`].filter(Boolean).join(" and ");
      throw new AssayError("BACKEND_NOT_FOUND", `no inference backend for ${wanted || "any model"}: ${describe()}`, { details: { ...query } });
    }
    return best.backend;
  }
}

/** A new, empty registry. */
export function createRegistry(): Registry {
  return new Registry();
}
