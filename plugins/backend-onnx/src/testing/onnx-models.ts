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
