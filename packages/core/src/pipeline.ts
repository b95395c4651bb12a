import type { ArtifactKey, ValueOf } from "./artifacts.js";
import type { BackendQuery, InferenceBackend } from "./backend.js";
import type { ArtifactCache } from "./cache.js";
import type { Dataset } from "./dataset.js";
import { AssayError, isAssayError, wrapNodeError } from "./errors.js";
import type { Finding, FindingInput, Severity } from "./findings.js";
import { Hasher, stableStringify } from "./hash.js";
import type { AnyNode, AnyNodeFactory, DetectorOutput, ExtractorFactory, NodeContext } from "./nodes.js";
import type { Plugin } from "./plugin.js";
import { Registry } from "./registry.js";
import type { DetectorResult, NodeRecord, NodeStatus, Report } from "./report.js";

/** Anything `pipeline.use()` accepts: a node, a node factory (used with default options), a plugin, or a list of them. */
export type Usable = AnyNode | AnyNodeFactory | Plugin | readonly Usable[];

/** A progress event, one per node start and end, and whenever a node reports progress. */
export interface ProgressEvent {
  node: string;
  kind: "extractor" | "detector";
  phase: "start" | "progress" | "end";
  /** Units done and total, for `progress` events. */
  done?: number;
  total?: number;
  /** Final status, for `end` events. */
  status?: NodeStatus;
  /** For `end` events of extractors: whether the output came from the cache. */
  cached?: boolean;
}

/** Options of {@link Pipeline.run}. */
export interface RunOptions {
  /** Abort the run; finished nodes stay in the report, the rest are marked `cancelled`. */
  signal?: AbortSignal;
  /** How many nodes may run at once (default 2). Nodes get the same number for their own inner work. */
  concurrency?: number;
  /** Keep extractor outputs across runs (see `memoryCache()` and `diskCache()` in `@assay/core/node`). */
  cache?: ArtifactCache;
  /** Called for every {@link ProgressEvent}. */
  onProgress?: (event: ProgressEvent) => void;
}

/** Options of {@link pipeline}. */
export interface PipelineOptions {
  /** Installed plugins: providers for needs that no used node provides, and inference backends. */
  registry?: Registry;
}

/** One node of a plan and where each of its inputs comes from. */
export interface PlannedNode {
  readonly node: AnyNode;
  /** Artifact name → provider node name, or `"(provided)"` for values given with `provide()`. */
  readonly inputs: Readonly<Record<string, string>>;
}

/** The resolved, ordered DAG of a pipeline. */
export interface Plan {
  /** Nodes in the order they are started when run one at a time (a topological order). */
  readonly nodes: readonly PlannedNode[];
  /** One line per node: `name <- artifact:provider, …`. */
  describe(): string;
}

const PROVIDED = "(provided)";

/**
 * A set of detectors (and any extractors they need) to run over one dataset. Configure it with
 * `use()` and `provide()`, then `run()`; planning freezes it, and changing it afterwards throws
 * `PIPELINE_FROZEN`.
 */
export class Pipeline {
  private readonly nodes: AnyNode[] = [];
  private readonly candidateFactories: ExtractorFactory[] = [];
  private readonly localBackends: InferenceBackend[] = [];
  /** Backends of plugins passed to `use()`, registered once on first lookup (the pipeline is frozen by then). */
  private localRegistry: Registry | undefined;
  private readonly supplied = new Map<string, unknown>();
  private frozenPlan: Plan | undefined;

  constructor(
    readonly dataset: Dataset,
    private readonly options: PipelineOptions = {},
  ) {}

  /**
   * Add detectors and extractors. A factory is called with its default options; a plugin adds all its
   * detectors, offers its extractors as providers and its backends as services.
   */
  use(...items: Usable[]): this {
    this.assertNotFrozen("use");
    for (const item of items) this.add(item);
    return this;
  }

  /** Supply an artifact's value directly (e.g. pred_probs from your own model); no extractor runs for it. */
  provide<K extends ArtifactKey>(key: K, value: ValueOf<K>): this {
    this.assertNotFrozen("provide");
    this.supplied.set(key.name, value);
    return this;
  }

  /** A new, unfrozen pipeline with the same dataset, nodes and provided values. */
  clone(): Pipeline {
    const copy = new Pipeline(this.dataset, this.options);
    copy.nodes.push(...this.nodes);
    copy.candidateFactories.push(...this.candidateFactories);
    copy.localBackends.push(...this.localBackends);
    for (const [k, v] of this.supplied) copy.supplied.set(k, v);
    return copy;
  }

  /**
   * Resolve every need to exactly one provider and order the nodes. Extractors offered by plugins or the
   * registry are candidates only when their default options are valid. Throws `MISSING_PROVIDER`,
   * `AMBIGUOUS_PROVIDER`, `CYCLE` or `DUPLICATE_NODE` with the node names in the message. Freezes the pipeline.
   */
  plan(): Plan {
    if (!this.frozenPlan) this.frozenPlan = buildPlan(this.dataset, this.nodes, this.candidateFactories, this.options.registry, this.supplied);
    return this.frozenPlan;
  }

  /** Run the plan and return the report. Node failures do not reject; they are entries in the report. */
  async run(options: RunOptions = {}): Promise<Report> {
    const plan = this.plan();
    return execute(plan, this.dataset, this.supplied, options, (q) => this.findBackend(q));
  }

  private async findBackend(query: BackendQuery): Promise<InferenceBackend> {
    if (this.localBackends.length > 0) {
      this.localRegistry ??= new Registry().use({ name: "(pipeline)", version: "0", backends: this.localBackends });
      try {
        return await this.localRegistry.backend(query);
      } catch (error) {
        if (!this.options.registry) throw error;
      }
    }
    return (this.options.registry ?? new Registry()).backend(query);
  }

  private add(item: Usable): void {
    if (Array.isArray(item)) {
      for (const inner of item as readonly Usable[]) this.add(inner);
    } else if (typeof item === "function") {
      this.addNode((item as AnyNodeFactory)());
    } else if ("kind" in (item as object)) {
      this.addNode(item as AnyNode);
    } else {
      const plugin = item as Plugin;
      for (const f of plugin.detectors ?? []) this.addNode(f());
      this.candidateFactories.push(...(plugin.extractors ?? []));
      this.localBackends.push(...(plugin.backends ?? []));
    }
  }

  private addNode(node: AnyNode): void {
    if (this.nodes.some((n) => n.name === node.name)) {
      throw new AssayError("DUPLICATE_NODE", `node "${node.name}" is used twice in this pipeline; each node name must be unique`, {
        node: node.name,
        ...(node.plugin === undefined ? {} : { plugin: node.plugin }),
      });
    }
    this.nodes.push(node);
  }

  private assertNotFrozen(method: string): void {
    if (this.frozenPlan) {
      throw new AssayError(
        "PIPELINE_FROZEN",
        `pipeline.${method}() after the pipeline was planned or run; build a new one with pipeline(dataset), or call .clone() and change the copy`,
      );
    }
  }
}

/** Start a pipeline over a dataset. */
export function pipeline(dataset: Dataset, options: PipelineOptions = {}): Pipeline {
  return new Pipeline(dataset, options);
}

function buildPlan(
  dataset: Dataset,
  explicit: readonly AnyNode[],
  candidateFactories: readonly ExtractorFactory[],
  registry: Registry | undefined,
  supplied: ReadonlyMap<string, unknown>,
): Plan {
  const nodes: AnyNode[] = [...explicit];
  const inputs = new Map<string, Record<string, string>>();
  const byName = new Map(nodes.map((n) => [n.name, n]));

  const offered = (artifact: string, unconfigured: string[]): AnyNode[][] =>
    [candidateFactories.filter((f) => f.provides?.name === artifact), registry?.providersOf(artifact) ?? []].map((factories) =>
      instantiateWithDefaults(factories, unconfigured),
    );
  const usedProviders = (artifact: string): AnyNode[] => nodes.filter((n) => n.kind === "extractor" && n.provides.name === artifact);
  // Whether a provider could run on this dataset: it applies, and every artifact it needs is supplied or
  // has a provider (used or offered) that could run too. Decides if a `wants` is worth pulling it in for.
  const applicable = (provider: AnyNode, visiting: ReadonlySet<string>): boolean =>
    (provider.appliesTo === undefined || provider.appliesTo(dataset) === true) &&
    (provider.needs as readonly ArtifactKey[]).every((key) => obtainable(key.name, visiting));
  const obtainable = (artifact: string, visiting: ReadonlySet<string>): boolean => {
    if (supplied.has(artifact)) return true;
    if (visiting.has(artifact)) return false;
    const used = usedProviders(artifact);
    const candidates = used.length > 0 ? used : (offered(artifact, []).find((usable) => usable.length > 0) ?? []);
    if (candidates.length !== 1) return candidates.length > 1;
    return applicable(candidates[0]!, new Set(visiting).add(artifact));
  };

  const resolve = (artifact: string, requester: AnyNode, required: boolean): string | undefined => {
    if (supplied.has(artifact)) return PROVIDED;
    const used = usedProviders(artifact);
    if (used.length === 1) return used[0]!.name;
    if (used.length > 1) throw ambiguous(artifact, requester, used.map((n) => n.name));
    const unconfigured: string[] = [];
    for (const usable of offered(artifact, unconfigured)) {
      if (usable.length > 1) throw ambiguous(artifact, requester, usable.map((n) => n.name));
      if (usable.length === 1) {
        const provider = usable[0]!;
        if (!required && !applicable(provider, new Set([artifact]))) return undefined;
        if (byName.has(provider.name)) {
          throw new AssayError("DUPLICATE_NODE", `"${provider.name}" would provide "${artifact}" but a different node of that name is already used`, { node: provider.name });
        }
        nodes.push(provider);
        byName.set(provider.name, provider);
        return provider.name;
      }
    }
    if (!required) return undefined;
    const hint = unconfigured.length
      ? `; ${unconfigured.map((n) => `"${n}"`).join(" and ")} could, but need${unconfigured.length === 1 ? "s" : ""} options: pipeline.use(${unconfigured[0]}({ … }))`
      : "; add one with pipeline.use(...) or supply it with pipeline.provide(...)";
    throw new AssayError("MISSING_PROVIDER", `${requester.kind} "${requester.name}" needs artifact "${artifact}", but no extractor provides it${hint}`, {
      node: requester.name,
      ...(requester.plugin === undefined ? {} : { plugin: requester.plugin }),
      details: { artifact, unconfigured },
    });
  };

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const wiring: Record<string, string> = {};
    for (const key of node.needs as readonly ArtifactKey[]) wiring[key.name] = resolve(key.name, node, true)!;
    for (const key of (node.wants ?? []) as readonly ArtifactKey[]) {
      const provider = resolve(key.name, node, false);
      if (provider !== undefined) wiring[key.name] = provider;
    }
    inputs.set(node.name, wiring);
  }

  const order = topologicalOrder(nodes, inputs);
  const planned = order.map((node) => Object.freeze({ node, inputs: Object.freeze(inputs.get(node.name)!) }));
  return Object.freeze({
    nodes: Object.freeze(planned),
    describe: () =>
      planned
        .map((p) => {
          const wires = Object.entries(p.inputs).map(([a, from]) => `${a}:${from}`);
          return `${p.node.kind} ${p.node.name}${wires.length ? ` <- ${wires.join(", ")}` : ""}`;
        })
        .join("\n"),
  });
}

/**
 * Offered providers are used with their default options. One whose defaults are not enough (say, a
 * model extractor that needs a model path) is not a candidate; its name is collected for the error hint.
 */
function instantiateWithDefaults(factories: readonly ExtractorFactory[], unconfigured: string[]): AnyNode[] {
  const usable: AnyNode[] = [];
  for (const factory of factories) {
    try {
      usable.push(factory());
    } catch (error) {
      if (!isAssayError(error, "INVALID_OPTION")) throw error;
      unconfigured.push(factory.nodeName);
    }
  }
  return usable;
}

function ambiguous(artifact: string, requester: AnyNode, providers: string[]): AssayError {
  return new AssayError(
    "AMBIGUOUS_PROVIDER",
    `${requester.kind} "${requester.name}" needs "${artifact}", which ${providers.map((p) => `"${p}"`).join(" and ")} all provide; pick one with pipeline.use(<the extractor you want>)`,
    { node: requester.name, details: { artifact, providers } },
  );
}

/** Kahn's algorithm with ties broken by first use, so the order is stable; reports a cycle by name. */
function topologicalOrder(nodes: readonly AnyNode[], inputs: ReadonlyMap<string, Record<string, string>>): AnyNode[] {
  const position = new Map(nodes.map((n, i) => [n.name, i]));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  const remaining = new Map<string, number>();
  for (const node of nodes) {
    const deps = new Set(Object.values(inputs.get(node.name)!).filter((p) => p !== PROVIDED));
    remaining.set(node.name, deps.size);
    for (const dep of deps) dependents.get(dep)!.push(node.name);
  }
  const ready = nodes.filter((n) => remaining.get(n.name) === 0).map((n) => n.name);
  const order: AnyNode[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => position.get(a)! - position.get(b)!);
    const name = ready.shift()!;
    order.push(nodes[position.get(name)!]!);
    for (const d of dependents.get(name)!) {
      const left = remaining.get(d)! - 1;
      remaining.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length < nodes.length) {
    const cycle = findCycle(nodes.filter((n) => remaining.get(n.name)! > 0).map((n) => n.name), inputs);
    throw new AssayError("CYCLE", `the pipeline has a cycle: ${cycle.join(" → ")}`, { details: { cycle } });
  }
  return order;
}

function findCycle(stuck: readonly string[], inputs: ReadonlyMap<string, Record<string, string>>): string[] {
  const start = stuck[0]!;
  const path = [start];
  const seen = new Map([[start, 0]]);
  let current = start;
  for (;;) {
    const next = Object.values(inputs.get(current)!).find((p) => stuck.includes(p))!;
    const at = seen.get(next);
    if (at !== undefined) return [...path.slice(at), next];
    seen.set(next, path.length);
    path.push(next);
    current = next;
  }
}

interface NodeState {
  record: NodeRecord;
  cacheKey?: string;
  output?: DetectorOutput<unknown>;
}

async function execute(
  plan: Plan,
  dataset: Dataset,
  supplied: ReadonlyMap<string, unknown>,
  options: RunOptions,
  findBackend: (q: BackendQuery) => Promise<InferenceBackend>,
): Promise<Report> {
  const started = performance.now();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
  const signal = options.signal ?? new AbortController().signal;
  const emit = options.onProgress ?? (() => {});
  const artifactsByName = new Map<string, unknown>(supplied);
  const keyOf = new Map<string, string>();
  for (const [name, value] of supplied) keyOf.set(name, contentKey(name, value));
  const fingerprint = dataset.fingerprint();

  const states = new Map<string, NodeState>();
  const providerOf = new Map<string, string>();
  for (const { node } of plan.nodes) {
    const record: NodeRecord = { name: node.name, kind: node.kind, version: node.version, status: "skipped" };
    if (node.plugin !== undefined) record.plugin = node.plugin;
    states.set(node.name, { record });
    if (node.kind === "extractor") providerOf.set(node.provides.name, node.name);
  }

  const pending = [...plan.nodes];
  const running = new Map<string, Promise<void>>();
  const finished = new Set<string>();

  const runOne = async ({ node, inputs }: PlannedNode): Promise<void> => {
    const state = states.get(node.name)!;
    const record = state.record;
    const t0 = performance.now();
    emit({ node: node.name, kind: node.kind, phase: "start" });
    const ctx: NodeContext = {
      dataset,
      signal,
      concurrency,
      progress: (done, total) => emit({ node: node.name, kind: node.kind, phase: "progress", done, total }),
      warn: (message) => (record.warnings ??= []).push(message),
      backend: findBackend,
    };
    const nodeInputs: Record<string, unknown> = {};
    for (const [artifact, provider] of Object.entries(inputs)) {
      const dep = provider === PROVIDED ? undefined : states.get(provider)!.record;
      if (dep && dep.status !== "ok") {
        record.warnings = [...(record.warnings ?? []), `runs without optional "${artifact}": "${provider}" ${dep.status === "error" ? "failed" : `was ${dep.status}`}`];
        continue;
      }
      nodeInputs[artifact] = artifactsByName.get(artifact);
    }
    try {
      if (node.kind === "extractor") {
        const inputKeys = Object.keys(inputs).sort().map((a) => `${a}=${keyOf.get(a)}`);
        const key = new Hasher()
          .string(node.readsLabels === false ? dataset.fingerprint("content") : fingerprint)
          .string(node.name)
          .string(node.version)
          .string(stableStringify(node.options))
          .string(inputKeys.join("&"))
          .string(node.cacheSalt ? await node.cacheSalt() : "")
          .digest();
        state.cacheKey = key;
        const useCache = options.cache !== undefined && node.cacheable !== false;
        let value = useCache ? await readCache(options.cache!, key, ctx) : undefined;
        if (value !== undefined) {
          record.cached = true;
        } else {
          value = await abortable(node.run(ctx, nodeInputs as never), signal);
          if (value === undefined) throw new AssayError("NODE_FAILED", `extractor "${node.name}" returned no value for "${node.provides.name}"`);
          if (useCache) await writeCache(options.cache!, key, value, ctx);
        }
        artifactsByName.set(node.provides.name, value);
        keyOf.set(node.provides.name, key);
      } else {
        const output = await abortable(node.run(ctx, nodeInputs as never), signal);
        state.output = { ...output, findings: output.findings.map((f) => checkFinding(f, node, dataset)) as never };
      }
      record.status = "ok";
    } catch (error) {
      if (signal.aborted) {
        record.status = "cancelled";
        record.reason = "the run was cancelled while this node was running";
      } else {
        record.status = "error";
        record.error = wrapNodeError(error, { node: node.name, ...(node.plugin === undefined ? {} : { plugin: node.plugin }) }).toJSON();
      }
    }
    record.durationMs = round(performance.now() - t0);
    emit({ node: node.name, kind: node.kind, phase: "end", status: record.status, ...(record.cached ? { cached: true } : {}) });
  };

  // Nodes skipped because they (or a provider they need) do not apply to this dataset: a report whose
  // other nodes all succeeded is still "ok".
  const inapplicable = new Set<string>();
  const blockedBy = (planned: PlannedNode): string | undefined => {
    const optional = new Set(((planned.node.wants ?? []) as readonly ArtifactKey[]).map((k) => k.name));
    for (const [artifact, provider] of Object.entries(planned.inputs)) {
      if (provider === PROVIDED || optional.has(artifact)) continue;
      const dep = states.get(provider)!.record;
      if (dep.status !== "ok") {
        if (inapplicable.has(provider)) inapplicable.add(planned.node.name);
        const why = dep.status === "error" ? `failed (${dep.error?.code ?? "error"})` : dep.status === "cancelled" ? "was cancelled" : "was skipped";
        return `needs "${artifact}" from "${provider}", which ${why}`;
      }
    }
    return undefined;
  };

  while (pending.length > 0 || running.size > 0) {
    let startedAny = false;
    for (let i = 0; i < pending.length && running.size < concurrency; ) {
      const planned = pending[i]!;
      const deps = Object.values(planned.inputs).filter((p) => p !== PROVIDED);
      if (!deps.every((d) => finished.has(d))) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      const record = states.get(planned.node.name)!.record;
      const applies = planned.node.appliesTo?.(dataset) ?? true;
      if (applies !== true) inapplicable.add(planned.node.name);
      const reason = applies === true ? blockedBy(planned) : `does not apply to this dataset: ${applies}`;
      if (signal.aborted) {
        record.status = "cancelled";
        record.reason = "the run was cancelled before this node started";
        finished.add(planned.node.name);
        emit({ node: planned.node.name, kind: planned.node.kind, phase: "end", status: "cancelled" });
      } else if (reason !== undefined) {
        record.status = "skipped";
        record.reason = reason;
        finished.add(planned.node.name);
        emit({ node: planned.node.name, kind: planned.node.kind, phase: "end", status: "skipped" });
      } else {
        const name = planned.node.name;
        running.set(
          name,
          runOne(planned).finally(() => {
            running.delete(name);
            finished.add(name);
          }),
        );
      }
      startedAny = true;
    }
    if (running.size > 0) await Promise.race(running.values());
    else if (!startedAny) break;
  }

  const nodes = plan.nodes.map((p) => states.get(p.node.name)!.record);
  const results: Record<string, DetectorResult> = {};
  const findings: Finding[] = [];
  const counts: Record<Severity, number> = { info: 0, warning: 0, error: 0 };
  for (const { node } of plan.nodes) {
    const output = states.get(node.name)!.output;
    if (!output) continue;
    results[node.name] = output.summary === undefined ? { result: output.result } : { summary: output.summary, result: output.result };
    for (const f of output.findings as unknown as Finding[]) {
      findings.push(f);
      counts[f.severity]++;
    }
  }
  const status = signal.aborted ? "cancelled" : nodes.every((n) => n.status === "ok" || inapplicable.has(n.name)) ? "ok" : "partial";
  return {
    schema: "assay.report/v1",
    status,
    dataset: {
      name: dataset.name,
      size: dataset.size,
      task: dataset.task,
      classes: [...dataset.classes],
      fingerprint,
      splits: Object.fromEntries(Object.entries(dataset.splits).map(([s, rows]) => [s, rows.length])),
    },
    nodes,
    results,
    findings,
    counts,
    durationMs: round(performance.now() - started),
  };
}

function checkFinding(input: FindingInput, node: AnyNode, dataset: Dataset): Finding {
  const indices = Array.from(new Set(Array.from(input.indices))).sort((a, b) => a - b);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= dataset.size) {
      throw new AssayError("INVALID_INPUT", `finding "${input.type}" names row ${i}, outside 0…${dataset.size - 1}`, { node: node.name });
    }
  }
  const finding: Finding = {
    detector: node.name,
    type: input.type,
    indices,
    ids: indices.map((i) => dataset.ids[i]!),
    severity: input.severity,
    message: input.message,
  };
  if (input.score !== undefined) finding.score = input.score;
  if (input.data !== undefined) finding.data = input.data;
  return finding;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

async function readCache(cache: ArtifactCache, key: string, ctx: NodeContext): Promise<unknown> {
  try {
    return await cache.get(key);
  } catch (error) {
    ctx.warn(`artifact cache read failed, recomputing: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function writeCache(cache: ArtifactCache, key: string, value: unknown, ctx: NodeContext): Promise<void> {
  try {
    await cache.set(key, value);
  } catch (error) {
    ctx.warn(`artifact cache write failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function contentKey(name: string, value: unknown): string {
  const h = new Hasher().string(name);
  if (value && typeof value === "object") {
    for (const [field, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) {
      h.string(field);
      if (ArrayBuffer.isView(v)) h.bytes(v);
      else h.string(stableStringify(v));
    }
  } else {
    h.string(stableStringify(value));
  }
  return h.digest();
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
