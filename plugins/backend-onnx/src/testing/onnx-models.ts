// Test-only: builds tiny ONNX models in code with onnx-proto (a dev dependency). Not exported.
import { onnx } from "onnx-proto";

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

type Dim = number | string;

function valueInfo(name: string, dims: readonly Dim[], elemType = FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
  };
}

/** Dense classifier: `input` [N, ...inShape] → Flatten → MatMul W → Add b = `logits` → Softmax = `probs`. */
export function denseModel(options: {
  inShape: readonly number[];
  weights: Float32Array;
  bias: Float32Array;
  metadata?: Record<string, string>;
  inputName?: string;
  /** Add an int64 `label` output (ArgMax) and drop the float outputs. */
  onlyIntOutput?: boolean;
}): Uint8Array {
  const inputName = options.inputName ?? "input";
  const inLen = options.inShape.reduce((a, b) => a * b, 1);
  const k = options.bias.length;
  const nodes: onnx.INodeProto[] = [
    { opType: "Flatten", input: [inputName], output: ["flat"], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    { opType: "MatMul", input: ["flat", "W"], output: ["mm"] },
    { opType: "Add", input: ["mm", "b"], output: ["logits"] },
    { opType: "Softmax", input: ["logits"], output: ["probs"], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: -1 }] },
  ];
  let outputs = [valueInfo("logits", ["N", k]), valueInfo("probs", ["N", k])];
  if (options.onlyIntOutput) {
    nodes.push({
      opType: "ArgMax",
      input: ["probs"],
      output: ["label"],
      attribute: [
        { name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        { name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 0 },
      ],
    });
    outputs = [valueInfo("label", ["N"], INT64)];
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "assay-tests",
    opsetImport: [{ domain: "", version: 13 }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: "dense",
      input: [valueInfo(inputName, ["N", ...options.inShape])],
      output: outputs,
      initializer: [
        { name: "W", dims: [inLen, k], dataType: FLOAT, floatData: Array.from(options.weights) },
        { name: "b", dims: [k], dataType: FLOAT, floatData: Array.from(options.bias) },
      ],
      node: nodes,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Reference dense layer + softmax in float64: returns logits and probs, row-major n×k. */
export function denseReference(x: Float32Array, n: number, weights: Float32Array, bias: Float32Array): { logits: Float32Array; probs: Float32Array } {
  const k = bias.length;
  const d = x.length / n;
  const logits = new Float32Array(n * k);
  const probs = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    const z = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      let acc = bias[j]!;
      for (let i = 0; i < d; i++) acc += x[r * d + i]! * weights[i * k + j]!;
      z[j] = acc;
    }
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) {
      logits[r * k + j] = z[j]!;
      probs[r * k + j] = e[j]! / s;
    }
  }
  return { logits, probs };
}

/** Deterministic pseudo-random floats in [-1, 1) (an LCG; test data only). */
export function testFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
