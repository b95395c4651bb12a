#!/usr/bin/python3
"""Train the small Fashion-MNIST encoder shipped with assay and export it to ONNX.

Run with Debian's interpreter (it has python3-torch, python3-numpy and python3-onnx):

    /usr/bin/python3 tooling/encoder/train.py            # from the repo root

Inputs : Debian's dataset-fashion-mnist IDX files (default /usr/share/datasets/fashion-mnist,
         override with --data DIR).
Outputs: examples/data/models/fashion-encoder.onnx   the model (opset 13, dynamic batch axis)
         examples/data/models/fashion-encoder.json   sidecar: preprocessing, outputs, classes, training
         tooling/encoder/reference-first100.json      Python's probabilities for the first 100 test
                                                      images, read by check-onnx.mjs

Model: input `input` N x 1 x 28 x 28 float32 = (pixel / 255 - mean) / std, grayscale.
       conv3x3(1->16)+BN+ReLU+maxpool2 -> conv3x3(16->32)+BN+ReLU+maxpool2 -> flatten(1568)
       -> linear(1568->64)+ReLU = `embedding` (N x 64) -> linear(64->10) -> softmax = `probs` (N x 10).
Everything is seeded (torch, numpy, the shuffling order), single process, CPU only.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]
EMBED_DIM = 64
OPSET = 13

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def read_idx(path):
    """Read an IDX file (optionally gzipped) into a numpy array of its declared shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 7 * 7, EMBED_DIM)
        self.head = nn.Linear(EMBED_DIM, len(CLASSES))
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        emb = F.relu(self.fc(torch.flatten(x, 1)))
        logits = self.head(self.dropout(emb))
        return emb, logits


class Exported(nn.Module):
    """Inference wrapper: returns (embedding, softmax probabilities)."""

    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, input):  # noqa: A002 - the ONNX input is named `input`
        emb, logits = self.enc(input)
        return emb, torch.softmax(logits, dim=1)


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            _, logits = model(x[i:i + batch])
            correct += int((logits.argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default=os.path.join(ROOT, "examples", "data", "models"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    t0 = time.time()
    tr_x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    tr_y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    te_x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    te_y = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)

    # Normalisation constants from the training pixels, rounded so that they can be written down
    # exactly and reproduced by any runtime.
    scaled = tr_x.astype(np.float64) / 255.0
    mean = round(float(scaled.mean()), 4)
    std = round(float(scaled.std()), 4)
    del scaled

    def prep(a):
        t = torch.from_numpy(a.astype(np.float32) / 255.0).unsqueeze(1)
        return (t - mean) / std

    xtr, ytr = prep(tr_x), torch.from_numpy(tr_y)
    xte, yte = prep(te_x), torch.from_numpy(te_y)

    enc = Encoder()
    opt = torch.optim.Adam(enc.parameters(), lr=args.lr)
    steps_per_epoch = (len(xtr) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(args.seed)

    t_train = time.time()
    cpu_train = time.process_time()
    for epoch in range(args.epochs):
        enc.train()
        order = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for s in range(steps_per_epoch):
            idx = order[s * args.batch:(s + 1) * args.batch]
            # light augmentation: random horizontal flip (garments are left/right symmetric enough)
            xb = xtr[idx]
            flip = torch.rand(len(idx), generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            _, logits = enc(xb)
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        acc = evaluate(enc, xte, yte)
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {total / len(xtr):.4f}, "
              f"test acc {acc:.4f}, {time.time() - t_train:.1f}s", flush=True)
    train_seconds = time.time() - t_train
    train_cpu_seconds = time.process_time() - cpu_train
    test_acc = evaluate(enc, xte, yte)
    train_acc = evaluate(enc, xtr, ytr)

    enc.eval()
    model = Exported(enc).eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "fashion-encoder.onnx")
    dummy = xte[:2]
    torch.onnx.export(
        model, (dummy,), onnx_path,
        input_names=["input"], output_names=["embedding", "probs"],
        dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}, "probs": {0: "batch"}},
        opset_version=OPSET, do_constant_folding=True,
    )

    metadata = {
        "assay.format": "assay-image-encoder/1",
        "assay.input_name": "input",
        "assay.layout": "NCHW",
        "assay.input_height": "28",
        "assay.input_width": "28",
        "assay.channels": "1",
        "assay.channel_order": "gray",
        "assay.pixel_scale": "255",
        "assay.mean": repr(mean),
        "assay.std": repr(std),
        "assay.resize": "bilinear",
        "assay.embedding_output": "embedding",
        "assay.embedding_dim": str(EMBED_DIM),
        "assay.pred_probs_output": "probs",
        "assay.classes": json.dumps(CLASSES),
        "assay.test_accuracy": f"{test_acc:.4f}",
    }

    import onnx  # Debian's python3-onnx
    proto = onnx.load(onnx_path)
    proto.producer_name = "assay tooling/encoder/train.py"
    proto.doc_string = ("Small Fashion-MNIST CNN encoder for assay: outputs a 64-d embedding and "
                        "10-class softmax probabilities. Input: (pixel/255 - mean)/std, N x 1 x 28 x 28.")
    del proto.metadata_props[:]
    for k, v in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.checker.check_model(proto)
    onnx.save(proto, onnx_path)

    # Reference outputs for the Node check (first 100 test images, same preprocessing).
    with torch.no_grad():
        emb100, probs100 = model(xte[:100])
    ref = {
        "description": "PyTorch outputs for the first 100 images of t10k, used by check-onnx.mjs",
        "labels": te_y[:100].tolist(),
        "pred": probs100.argmax(1).tolist(),
        "accuracy": int((probs100.argmax(1) == yte[:100]).sum()) / 100,
        "probs": [[round(float(v), 7) for v in row] for row in probs100],
        "embedding_first5": [[round(float(v), 6) for v in row] for row in emb100[:5]],
    }
    with open(os.path.join(HERE, "reference-first100.json"), "w") as f:
        json.dump(ref, f)
        f.write("\n")

    params = sum(p.numel() for p in enc.parameters())
    sidecar = {
        "model": "fashion-encoder.onnx",
        "description": proto.doc_string,
        "opset": OPSET,
        "inputs": [{"name": "input", "shape": ["batch", 1, 28, 28], "type": "float32"}],
        "outputs": [
            {"name": "embedding", "shape": ["batch", EMBED_DIM], "type": "float32",
             "role": "embedding"},
            {"name": "probs", "shape": ["batch", len(CLASSES)], "type": "float32",
             "role": "pred_probs"},
        ],
        "preprocessing": {
            "height": 28, "width": 28, "channels": 1, "channel_order": "gray", "layout": "NCHW",
            "resize": "bilinear", "pixel_scale": 255, "mean": [mean], "std": [std],
            "formula": "x = (pixel / 255 - mean) / std",
        },
        "classes": CLASSES,
        "metadata_props": metadata,
        "training": {
            "script": "tooling/encoder/train.py",
            "data": "Fashion-MNIST train (60,000 images), Debian dataset-fashion-mnist",
            "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch,
            "optimizer": "Adam + OneCycleLR", "max_lr": args.lr,
            "augmentation": "random horizontal flip",
            "parameters": params, "threads": args.threads,
            "train_seconds": round(train_seconds, 1),
            "train_cpu_seconds": round(train_cpu_seconds, 1),
            "train_accuracy": round(train_acc, 4),
            "test_accuracy": round(test_acc, 4),
            "test_set": "Fashion-MNIST t10k (10,000 images)",
            "torch": torch.__version__,
        },
    }
    with open(os.path.join(args.out, "fashion-encoder.json"), "w") as f:
        json.dump(sidecar, f, indent=2)
        f.write("\n")

    print(f"parameters {params}, train {train_seconds:.1f}s wall / {train_cpu_seconds:.1f}s CPU, "
          f"total {time.time() - t0:.1f}s")
    print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
