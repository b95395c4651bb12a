import type { Device, Float32Tensor, InferenceBackend, LoadedModel } from "./backend.js";
import { isAssayError } from "./errors.js";

/** What a backend under test must be given: one small model it loads and its known answers. */
export interface ConformanceFixtures {
  /** A model in a format the backend loads (path or bytes) with one float input whose first dimension is the batch. */
  model: string | Uint8Array;
  /** A batch for the model's input (at least 2 rows) and its dims. */
  input: { name: string; data: Float32Array; dims: readonly number[] };
  /** Expected values of some outputs for `input`, by output name. */
  expected: Readonly<Record<string, Float32Array>>;
  /** A file that exists but is not a model of the backend's format. */
  notAModel: string;
  /** A path that does not exist. */
  missing: string;
  /** Expected metadata entries (a subset of `model.metadata`). */
  metadata?: Readonly<Record<string, string>>;
  /** Absolute tolerance for output values. Default 1e-5. */
  tolerance?: number;
}

/** One named conformance check; `run` rejects with a message on failure. */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

const DEVICES: readonly Device[] = ["gpu", "cpu", "wasm"];

/**
 * The checks every {@link InferenceBackend} must pass, as plain async functions, so any test runner
 * can run them: `for (const c of backendConformance(() => myBackend(), fixtures)) it(c.name, c.run)`.
 * They cover self-description, loading, batch results against known answers, batch-size independence,
 * concurrent runs, and the typed errors for a shape mismatch, an unknown input, a missing file, a file
 * that is not a model, and use after `dispose()`.
 */
export function backendConformance(
  factory: () => InferenceBackend | Promise<InferenceBackend>,
  fixtures: ConformanceFixtures,
): ConformanceCheck[] {
  const tol = fixtures.tolerance ?? 1e-5;
  const withModel = async (fn: (model: LoadedModel, backend: InferenceBackend) => Promise<void>) => {
    const backend = await factory();
    const model = await backend.load(fixtures.model);
    try {
      await fn(model, backend);
    } finally {
      await model.dispose();
    }
  };
  const feed = (data: Float32Array, dims: readonly number[]): Record<string, Float32Tensor> => ({ [fixtures.input.name]: { data, dims } });
  const rows = fixtures.input.dims[0]!;
  const rowLen = fixtures.input.data.length / rows;

  const checks: ConformanceCheck[] = [
    {
      name: "describes itself: name, formats and a stable, non-empty device list",
      async run() {
        const backend = await factory();
        assert(typeof backend.name === "string" && backend.name.length > 0, "name must be a non-empty string");
        assert(backend.formats.length > 0 && backend.formats.every((f) => typeof f === "string" && f.length > 0), "formats must be non-empty strings");
        const a = await backend.devices();
        const b = await backend.devices();
        assert(a.length > 0, "devices() must list at least one device on a machine where the runtime is installed");
        assert(a.every((d) => DEVICES.includes(d)), `devices() returned an unknown device: ${a.join(", ")}`);
        assert(a.join() === b.join(), "devices() must return the same list every time");
      },
    },
    {
      name: "loads the model and reports inputs, outputs, device, provider and metadata",
      run: () =>
        withModel(async (model, backend) => {
          const input = model.inputs.find((i) => i.name === fixtures.input.name);
          assert(input, `inputs must include "${fixtures.input.name}"; got ${model.inputs.map((i) => i.name).join(", ")}`);
          assert(/^float32$/.test(input.type), `input type must be float32, got ${input.type}`);
          assert(input.shape.length === fixtures.input.dims.length, `input rank must be ${fixtures.input.dims.length}, got ${input.shape.length}`);
          for (const name of Object.keys(fixtures.expected)) assert(model.outputs.some((o) => o.name === name), `outputs must include "${name}"`);
          assert(model.outputs.every((o) => Array.isArray(o.shape) && typeof o.type === "string"), "every output needs a shape array and a type");
          assert((await backend.devices()).includes(model.device), `model.device "${model.device}" is not among devices()`);
          assert(typeof model.provider === "string" && model.provider.length > 0, "provider must be a non-empty string");
          assert(Object.values(model.metadata).every((v) => typeof v === "string"), "metadata values must be strings");
          for (const [k, v] of Object.entries(fixtures.metadata ?? {})) assert(model.metadata[k] === v, `metadata["${k}"] must be "${v}", got "${model.metadata[k]}"`);
        }),
    },
    {
      name: "runs a batch and returns the expected float32 outputs",
      run: () =>
        withModel(async (model) => {
          const out = await model.run(feed(fixtures.input.data, fixtures.input.dims));
          for (const [name, want] of Object.entries(fixtures.expected)) {
            const got = out[name];
            assert(got, `output "${name}" missing from run() result (got ${Object.keys(out).join(", ")})`);
            assert(got.data instanceof Float32Array, `output "${name}" must be a Float32Array`);
            assert(got.dims[0] === rows, `output "${name}" dims[0] must be the batch size ${rows}, got ${got.dims[0]}`);
            assert(got.dims.reduce((a, b) => a * b, 1) === got.data.length, `output "${name}" dims do not match its length`);
            close(got.data, want, tol, name);
          }
        }),
    },
    {
      name: "gives each row the same result alone as in a batch",
      run: () =>
        withModel(async (model) => {
          const batch = await model.run(feed(fixtures.input.data, fixtures.input.dims));
          for (let r = 0; r < rows; r++) {
            const single = await model.run(feed(fixtures.input.data.slice(r * rowLen, (r + 1) * rowLen), [1, ...fixtures.input.dims.slice(1)]));
            for (const name of Object.keys(fixtures.expected)) {
              const cols = batch[name]!.data.length / rows;
              close(single[name]!.data, batch[name]!.data.subarray(r * cols, (r + 1) * cols), tol, `${name}[row ${r}]`);
            }
          }
        }),
    },
    {
      name: "returns the same results for concurrent runs",
      run: () =>
        withModel(async (model) => {
          const runs = await Promise.all([0, 1, 2].map(() => model.run(feed(fixtures.input.data, fixtures.input.dims))));
          for (const name of Object.keys(fixtures.expected)) {
            close(runs[1]![name]!.data, runs[0]![name]!.data, 0, name);
            close(runs[2]![name]!.data, runs[0]![name]!.data, 0, name);
          }
        }),
    },
    {
      name: "rejects an input shape mismatch with MODEL_ERROR naming expected and got",
      run: () =>
        withModel(async (model) => {
          const dims = [rows, ...fixtures.input.dims.slice(1)];
          dims[dims.length - 1] = dims[dims.length - 1]! + 1;
          const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
          const error = await rejection(model.run(feed(data, dims)));
          assert(isAssayError(error, "MODEL_ERROR"), `expected AssayError MODEL_ERROR, got ${describe(error)}`);
          assert(error.message.includes(fixtures.input.name), `message must name the input: ${error.message}`);
          assert(/expect/i.test(error.message) && /got/i.test(error.message), `message must say expected and got: ${error.message}`);
          assert(error.message.includes(String(dims[dims.length - 1])), `message must show the shape it got: ${error.message}`);
        }),
    },
    {
      name: "rejects an unknown input name with MODEL_ERROR",
      run: () =>
        withModel(async (model) => {
          const error = await rejection(model.run({ ...feed(fixtures.input.data, fixtures.input.dims), "no-such-input": { data: new Float32Array(1), dims: [1] } }));
          assert(isAssayError(error, "MODEL_ERROR"), `expected AssayError MODEL_ERROR, got ${describe(error)}`);
          assert(error.message.includes("no-such-input"), `message must name the unknown input: ${error.message}`);
        }),
    },
    {
      name: "rejects a missing model file with IO_ERROR naming the path",
      async run() {
        const error = await rejection((await factory()).load(fixtures.missing));
        assert(isAssayError(error, "IO_ERROR"), `expected AssayError IO_ERROR, got ${describe(error)}`);
        assert(error.message.includes(fixtures.missing), `message must name the file: ${error.message}`);
      },
    },
    {
      name: "rejects a file that is not a model with MODEL_ERROR naming the file",
      async run() {
        const error = await rejection((await factory()).load(fixtures.notAModel));
        assert(isAssayError(error, "MODEL_ERROR"), `expected AssayError MODEL_ERROR, got ${describe(error)}`);
        assert(error.message.includes(fixtures.notAModel), `message must name the file: ${error.message}`);
      },
    },
    {
      name: "dispose() is idempotent and run() afterwards is MODEL_ERROR",
      async run() {
        const model = await (await factory()).load(fixtures.model);
        await model.dispose();
        await model.dispose();
        const error = await rejection(model.run(feed(fixtures.input.data, fixtures.input.dims)));
        assert(isAssayError(error, "MODEL_ERROR"), `expected AssayError MODEL_ERROR, got ${describe(error)}`);
      },
    },
  ];
  return checks;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`conformance: ${message}`);
}

function close(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert(got.length === want.length, `${what}: expected ${want.length} values, got ${got.length}`);
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    assert(d <= tol || (Number.isNaN(got[i]!) && Number.isNaN(want[i]!)), `${what}[${i}] is ${got[i]}, expected ${want[i]} (±${tol})`);
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("conformance: expected the call to reject, but it resolved");
}

function describe(error: unknown): string {
  if (isAssayError(error)) return `AssayError ${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
