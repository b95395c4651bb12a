#!/usr/bin/python3
"""Convert the assay Fashion-MNIST encoder from ONNX to a TensorFlow.js *layers* model.

    /usr/bin/python3 tooling/encoder/onnx_to_tfjs.py [--onnx PATH] [--out DIR]

Why a converter of our own: the official path (tensorflowjs_converter, or onnx-tf + tensorflow) needs
TensorFlow and the tensorflowjs pip package, which are not packaged by Debian and PyPI is not reachable
here. A TFJS layers model is only a Keras-style JSON topology plus little-endian float32 weight shards,
so for a plain chain of Conv / Relu / MaxPool / Flatten / Gemm / Softmax it can be written directly.
Only what this encoder uses is supported; anything else is rejected with an error naming the node.

Layout: ONNX is NCHW, TFJS layers are NHWC (channels_last). The TFJS model therefore takes
`input` as N x 28 x 28 x 1; conv kernels are transposed OIHW -> HWIO and the first Dense kernel after
Flatten has its rows permuted from (c, h, w) to (h, w, c) order, so both models compute the same function.
The ONNX metadata_props are copied into model.json's `userDefinedMetadata` with `assay.layout` = NHWC.

Needs Debian's python3-onnx and python3-numpy. Output: <out>/model.json and <out>/group1-shard1of1.bin.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def convert(model):
    g = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    graph_outputs = [o.name for o in g.output]

    inp = g.input[0]
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    _, c, h, w = dims
    shape = [h, w, c]  # current NHWC shape without batch

    layers = [{
        "class_name": "InputLayer", "name": inp.name,
        "config": {"batch_input_shape": [None, h, w, c], "dtype": "float32", "sparse": False,
                   "name": inp.name},
        "inbound_nodes": [],
    }]
    weights = []  # (name, array)
    tensor_to_layer = {inp.name: inp.name}
    flattened_from = None  # spatial shape (h, w, c) at the last Flatten, for permuting the next Dense
    used = set()

    def add(cls, name, config, src):
        config = {"name": name, "trainable": True, "dtype": "float32", **config}
        layers.append({"class_name": cls, "name": name, "config": config,
                       "inbound_nodes": [[[tensor_to_layer[src], 0, 0, {}]]]})

    def fused_activation(node):
        """If the node's only consumer is Relu/Softmax, fuse it; return (activation, output tensor)."""
        out = node.output[0]
        nxt = consumers.get(out, [])
        if out not in graph_outputs and len(nxt) == 1 and nxt[0].op_type in ("Relu", "Softmax"):
            act = nxt[0]
            if act.op_type == "Softmax" and attr(act, "axis", -1) not in (1, -1):
                raise ValueError(f"{act.name}: softmax axis must be the last")
            used.add(id(act))
            return ("relu" if act.op_type == "Relu" else "softmax"), act.output[0]
        return "linear", out

    for k, node in enumerate(g.node):
        if id(node) in used:
            continue
        name = node.output[0].split("/")[-1] if node.output[0] in graph_outputs else f"{node.op_type.lower()}_{k}"
        if node.op_type == "Conv":
            wt = inits[node.input[1]]
            bias = inits[node.input[2]] if len(node.input) > 2 else None
            ks = attr(node, "kernel_shape")
            pads = attr(node, "pads", [0, 0, 0, 0])
            strides = attr(node, "strides", [1, 1])
            if attr(node, "group", 1) != 1 or attr(node, "dilations", [1, 1]) != [1, 1]:
                raise ValueError(f"{node.name}: grouped/dilated conv not supported")
            if pads == [0, 0, 0, 0]:
                padding = "valid"
            elif strides == [1, 1] and all(p == (ks[0] - 1) // 2 for p in pads) and ks[0] % 2 == 1 and ks[0] == ks[1]:
                padding = "same"
            else:
                raise ValueError(f"{node.name}: pads {pads} not expressible as valid/same")
            act, out = fused_activation(node)
            name = out.split("/")[-1] if out in graph_outputs else name
            add("Conv2D", name, {
                "filters": int(wt.shape[0]), "kernel_size": list(ks), "strides": list(strides),
                "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1],
                "activation": act, "use_bias": bias is not None,
            }, node.input[0])
            weights.append((f"{name}/kernel", wt.transpose(2, 3, 1, 0)))
            if bias is not None:
                weights.append((f"{name}/bias", bias))
            if padding == "valid":
                shape = [(shape[0] - ks[0]) // strides[0] + 1, (shape[1] - ks[1]) // strides[1] + 1, int(wt.shape[0])]
            else:
                shape = [shape[0], shape[1], int(wt.shape[0])]
            tensor_to_layer[out] = name
        elif node.op_type == "MaxPool":
            ks, strides = attr(node, "kernel_shape"), attr(node, "strides", [1, 1])
            if attr(node, "pads", [0, 0, 0, 0]) != [0, 0, 0, 0] or attr(node, "ceil_mode", 0):
                raise ValueError(f"{node.name}: padded/ceil MaxPool not supported")
            add("MaxPooling2D", name, {"pool_size": list(ks), "strides": list(strides), "padding": "valid",
                                       "data_format": "channels_last"}, node.input[0])
            shape = [(shape[0] - ks[0]) // strides[0] + 1, (shape[1] - ks[1]) // strides[1] + 1, shape[2]]
            tensor_to_layer[node.output[0]] = name
        elif node.op_type == "Flatten":
            if attr(node, "axis", 1) != 1:
                raise ValueError(f"{node.name}: Flatten axis must be 1")
            add("Flatten", name, {"data_format": "channels_last"}, node.input[0])
            flattened_from = list(shape)
            shape = [int(np.prod(shape))]
            tensor_to_layer[node.output[0]] = name
        elif node.op_type == "Gemm":
            if attr(node, "alpha", 1.0) != 1.0 or attr(node, "beta", 1.0) != 1.0 or attr(node, "transA", 0):
                raise ValueError(f"{node.name}: only Gemm(alpha=1, beta=1, transA=0) supported")
            wt = inits[node.input[1]]
            kernel = wt.T if attr(node, "transB", 0) else wt  # -> [in, out]
            if flattened_from is not None:
                fh, fw, fc = flattened_from
                # rows are in PyTorch (c, h, w) order; Keras Flatten yields (h, w, c)
                kernel = kernel.reshape(fc, fh, fw, -1).transpose(1, 2, 0, 3).reshape(fh * fw * fc, -1)
                flattened_from = None
            bias = inits[node.input[2]] if len(node.input) > 2 else None
            act, out = fused_activation(node)
            name = out.split("/")[-1] if out in graph_outputs else name
            add("Dense", name, {"units": int(kernel.shape[1]), "activation": act, "use_bias": bias is not None},
                node.input[0])
            weights.append((f"{name}/kernel", kernel))
            if bias is not None:
                weights.append((f"{name}/bias", bias))
            shape = [int(kernel.shape[1])]
            tensor_to_layer[out] = name
        elif node.op_type in ("Relu", "Softmax"):
            if node.op_type == "Softmax" and attr(node, "axis", -1) not in (1, -1):
                raise ValueError(f"{node.name}: softmax axis must be the last")
            add("Activation", name, {"activation": node.op_type.lower()}, node.input[0])
            tensor_to_layer[node.output[0]] = name
        else:
            raise ValueError(f"node {node.name or k}: op {node.op_type} not supported by this converter")

    outputs = []
    for o in graph_outputs:
        if o not in tensor_to_layer:
            raise ValueError(f"graph output {o} was not produced by a converted layer")
        outputs.append([tensor_to_layer[o], 0, 0])
    topology = {
        "class_name": "Model",
        "config": {"name": "fashion_encoder", "layers": layers,
                   "input_layers": [[inp.name, 0, 0]], "output_layers": outputs},
        "keras_version": "tfjs-layers (written by assay onnx_to_tfjs.py)",
        "backend": "tensor_flow.js",
    }
    return topology, weights


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--onnx", default=os.path.join(ROOT, "examples", "data", "models", "fashion-encoder.onnx"))
    ap.add_argument("--out", default=os.path.join(ROOT, "examples", "data", "models", "fashion-encoder-tfjs"))
    args = ap.parse_args()

    model = onnx.load(args.onnx)
    topology, weights = convert(model)
    meta = {p.key: p.value for p in model.metadata_props}
    meta["assay.layout"] = "NHWC"
    meta["assay.source_model"] = os.path.basename(args.onnx)

    os.makedirs(args.out, exist_ok=True)
    shard = "group1-shard1of1.bin"
    blob = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for _, a in weights)
    with open(os.path.join(args.out, shard), "wb") as f:
        f.write(blob)
    model_json = {
        "format": "layers-model",
        "generatedBy": "assay tooling/encoder/train.py (PyTorch)",
        "convertedBy": "assay tooling/encoder/onnx_to_tfjs.py",
        "modelTopology": topology,
        "weightsManifest": [{"paths": [shard], "weights": [
            {"name": n, "shape": list(a.shape), "dtype": "float32"} for n, a in weights]}],
        "userDefinedMetadata": meta,
    }
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(model_json, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: {len(topology['config']['layers'])} layers, {len(weights)} weight tensors, "
          f"{len(blob)} bytes of weights")
    return 0


if __name__ == "__main__":
    sys.exit(main())
