import type { z } from "zod";
import type { ArtifactKey, InputsOf, ValueOf } from "./artifacts.js";
import type { BackendQuery, InferenceBackend } from "./backend.js";
import type { Dataset } from "./dataset.js";
import type { FindingInput } from "./findings.js";
import { parseOptions } from "./options.js";

/** What a running node can use besides its inputs. */
export interface NodeContext {
  readonly dataset: Dataset;
  /** Aborted when the run is cancelled; long loops should check it and pass it on. */
  readonly signal: AbortSignal;
  /** How many tasks the node may run at once internally (image decodes, worker threads). */
  readonly concurrency: number;
  /** Report progress for progress bars: `done` of `total` units. */
  progress(done: number, total: number): void;
  /** Record a non-fatal warning; it appears on the node's entry in the report. */
  warn(message: string): void;
  /** Find a registered inference backend by name or capability. */
  backend(query: BackendQuery): Promise<InferenceBackend>;
}

/** A tuple of artifact keys a node reads. */
export type Keys = readonly ArtifactKey[];

/** The inputs object: required artifacts always present, optional ones possibly missing. */
export type NodeInputs<Needs extends Keys, Wants extends Keys> = InputsOf<Needs> & Partial<InputsOf<Wants>>;

/** Fields every node has. */
export interface NodeBase<Needs extends Keys, Wants extends Keys, Options> {
  /** Unique node name, e.g. `"duplicates"`; appears in every finding and error. */
  readonly name: string;
  /** Bump when the output changes for the same input; it is part of the cache key. */
  readonly version: string;
  /** The plugin (package) that owns the node. */
  readonly plugin?: string;
  /** One line saying what the node does (shown by `assay list`). */
  readonly description?: string;
  /** Artifacts the node cannot run without. */
  readonly needs: Needs;
  /** Artifacts the node uses when some provider exists, and does without otherwise. */
  readonly wants?: Wants;
  /** The validated options (part of the cache key). */
  readonly options: Options;
  /** The schema the options were validated with. */
  readonly optionsSchema?: z.ZodType;
  /**
   * Whether the node can do anything on this dataset: `true`, or the reason it cannot (e.g. "the
   * dataset has no images"). A node that does not apply is skipped with that reason, and a provider
   * that does not apply is never pulled in just to serve another node's `wants`.
   */
  readonly appliesTo?: (dataset: Dataset) => true | string;
}

/** A node that produces one artifact from others (or from the dataset itself). */
export interface Extractor<
  Needs extends Keys = Keys,
  Provides extends ArtifactKey = ArtifactKey,
  Options = unknown,
  Wants extends Keys = Keys,
> extends NodeBase<Needs, Wants, Options> {
  readonly kind: "extractor";
  readonly provides: Provides;
  /** Whether the output may be stored in an artifact cache (default true). */
  readonly cacheable?: boolean;
  /**
   * Extra text for the cache key, for outputs that depend on something outside the options, such as
   * the contents of a model file the options name by path.
   */
  readonly cacheSalt?: () => Promise<string>;
  /**
   * Whether the output depends on the dataset's labels (default true). An extractor that reads only
   * pixels, files or other artifacts sets it to false, so its cached output survives a relabel.
   */
  readonly readsLabels?: boolean;
  run(ctx: NodeContext, inputs: NodeInputs<Needs, Wants>): Promise<ValueOf<Provides>>;
}

/** What a detector returns: its typed result, its findings, and a few headline numbers. */
export interface DetectorOutput<Result> {
  result: Result;
  findings: FindingInput[];
  /** Headline numbers for the report summary, e.g. `{ exact_groups: 3 }`. */
  summary?: Record<string, number | string | boolean | null>;
}

/** A node that reads artifacts and reports findings. */
export interface Detector<Needs extends Keys = Keys, Result = unknown, Options = unknown, Wants extends Keys = Keys>
  extends NodeBase<Needs, Wants, Options> {
  readonly kind: "detector";
  run(ctx: NodeContext, inputs: NodeInputs<Needs, Wants>): Promise<DetectorOutput<Result>>;
}

/** Any extractor or detector. */
// biome-ignore lint: the erased form must accept every concrete node
export type AnyNode = Extractor<any, any, any, any> | Detector<any, any, any, any>;

interface DefineNodeSpec<S extends z.ZodType, Needs extends Keys, Wants extends Keys> {
  name: string;
  version: string;
  plugin?: string;
  description?: string;
  /** Options schema. Object schemas reject unknown keys. */
  options: S;
  needs: Needs;
  wants?: Wants;
  /** See {@link NodeBase.appliesTo}. */
  appliesTo?: (dataset: Dataset) => true | string;
}

/**
 * Declare a detector. Returns a factory that validates options against the schema and returns the
 * plain detector object; bad options throw `INVALID_OPTION` naming the detector and the option.
 */
export function defineDetector<S extends z.ZodType, const Needs extends Keys, Result, const Wants extends Keys = []>(
  spec: DefineNodeSpec<S, Needs, Wants> & {
    run(ctx: NodeContext, inputs: NodeInputs<Needs, Wants>, options: z.output<S>): Promise<DetectorOutput<Result>>;
  },
): DetectorFactory<S, Detector<Needs, Result, z.output<S>, Wants>> {
  const create = (input?: z.input<S>) => {
    const options = parseOptions(spec.options, input, nodeContextOf(spec));
    return Object.freeze({
      ...baseOf(spec, options),
      kind: "detector" as const,
      run: (ctx: NodeContext, inputs: NodeInputs<Needs, Wants>) => spec.run(ctx, inputs, options),
    });
  };
  return annotate(create, spec, "detector", undefined);
}

/** Declare an extractor; like {@link defineDetector} but the node provides one artifact. */
export function defineExtractor<
  S extends z.ZodType,
  const Needs extends Keys,
  Provides extends ArtifactKey,
  const Wants extends Keys = [],
>(
  spec: DefineNodeSpec<S, Needs, Wants> & {
    provides: Provides;
    cacheable?: boolean;
    /** Extra cache-key text computed from the options (e.g. a model file's size and mtime). */
    cacheSalt?: (options: z.output<S>) => Promise<string>;
    /** Whether the output depends on the dataset's labels (default true); see {@link Extractor.readsLabels}. */
    readsLabels?: boolean;
    run(ctx: NodeContext, inputs: NodeInputs<Needs, Wants>, options: z.output<S>): Promise<ValueOf<Provides>>;
  },
): ExtractorFactory<S, Extractor<Needs, Provides, z.output<S>, Wants>> {
  const create = (input?: z.input<S>) => {
    const options = parseOptions(spec.options, input, nodeContextOf(spec));
    const node: Extractor<Needs, Provides, z.output<S>, Wants> = {
      ...baseOf(spec, options),
      kind: "extractor" as const,
      provides: spec.provides,
      run: (ctx, inputs) => spec.run(ctx, inputs, options),
    };
    const salt = spec.cacheSalt;
    return Object.freeze({
      ...node,
      ...(spec.cacheable === undefined ? {} : { cacheable: spec.cacheable }),
      ...(salt === undefined ? {} : { cacheSalt: () => salt(options) }),
      ...(spec.readsLabels === undefined ? {} : { readsLabels: spec.readsLabels }),
    });
  };
  return annotate(create, spec, "extractor", spec.provides);
}

/** What a node factory says about the nodes it makes, readable without calling it. */
export interface NodeFactoryInfo<S extends z.ZodType = z.ZodType> {
  readonly nodeName: string;
  readonly kind: "extractor" | "detector";
  readonly version: string;
  readonly plugin: string | undefined;
  readonly description: string | undefined;
  readonly schema: S;
  readonly needs: Keys;
  readonly wants: Keys;
  /** The artifact an extractor factory's nodes provide. */
  readonly provides: ArtifactKey | undefined;
}

/** A function that validates options and returns a detector, with its metadata attached. */
export type DetectorFactory<S extends z.ZodType = z.ZodType, D extends Detector = Detector> = ((
  options?: z.input<S>,
) => D) &
  NodeFactoryInfo<S>;

/** A function that validates options and returns an extractor, with its metadata attached. */
export type ExtractorFactory<S extends z.ZodType = z.ZodType, E extends Extractor = Extractor> = ((
  options?: z.input<S>,
) => E) &
  NodeFactoryInfo<S>;

/** Either kind of factory. */
// biome-ignore lint: the erased form must accept every concrete factory
export type AnyNodeFactory = DetectorFactory<any, any> | ExtractorFactory<any, any>;

function annotate<F extends (...args: never[]) => unknown, S extends z.ZodType>(
  create: F,
  spec: DefineNodeSpec<S, Keys, Keys>,
  kind: "extractor" | "detector",
  provides: ArtifactKey | undefined,
): F & NodeFactoryInfo<S> {
  const info: NodeFactoryInfo<S> = {
    nodeName: spec.name,
    kind,
    version: spec.version,
    plugin: spec.plugin,
    description: spec.description,
    schema: spec.options,
    needs: spec.needs,
    wants: spec.wants ?? [],
    provides,
  };
  return Object.freeze(Object.assign(create, info));
}

function nodeContextOf(spec: { name: string; plugin?: string }): { node: string; plugin?: string } {
  return spec.plugin === undefined ? { node: spec.name } : { node: spec.name, plugin: spec.plugin };
}

function baseOf<S extends z.ZodType, Needs extends Keys, Wants extends Keys>(
  spec: DefineNodeSpec<S, Needs, Wants>,
  options: z.output<S>,
): NodeBase<Needs, Wants, z.output<S>> {
  return {
    name: spec.name,
    version: spec.version,
    needs: spec.needs,
    options,
    optionsSchema: spec.options,
    ...(spec.plugin === undefined ? {} : { plugin: spec.plugin }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.wants === undefined ? {} : { wants: spec.wants }),
    ...(spec.appliesTo === undefined ? {} : { appliesTo: spec.appliesTo }),
  };
}
