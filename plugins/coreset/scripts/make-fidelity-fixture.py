"""Generate src/fixtures/fidelity.json for test CI-18 (not shipped; run with numpy installed).

600 rows, 3 classes, d = 6, anisotropic Gaussian classes. The reference within-class leverage of
each row is the squared norm of its row in the thin-SVD basis U of [X_c, 1] (the class rows with an
intercept column), computed in float64 and rounded to 1e-9.
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20240601)
n_per, d = 200, 6
xs, ys = [], []
for c in range(3):
    mean = rng.normal(0, 2, d)
    scale = rng.uniform(0.3, 2.0, d)
    mix = rng.normal(0, 1, (d, d)) / np.sqrt(d)
    x = (rng.normal(0, 1, (n_per, d)) * scale) @ mix + mean
    xs.append(np.round(x, 6))
    ys += [c] * n_per
X = np.vstack(xs)
y = np.array(ys)
lev = np.zeros(len(y))
for c in range(3):
    rows = np.where(y == c)[0]
    a = np.hstack([X[rows], np.ones((len(rows), 1))])
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    lev[rows] = (u ** 2).sum(axis=1)
out = {
    "rows": int(X.shape[0]),
    "cols": d,
    "x": [float(v) for v in X.ravel()],
    "y": [int(v) for v in y],
    "leverage": [round(float(v), 9) for v in lev],
}
path = pathlib.Path(__file__).resolve().parent.parent / "src" / "fixtures" / "fidelity.json"
path.write_text(json.dumps(out))
print("wrote", path, "sum of leverages per class:", [round(lev[y == c].sum(), 6) for c in range(3)])
