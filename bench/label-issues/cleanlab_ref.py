import sys, time, json, resource, numpy as np
# Reference side of the label-issues bench: seeded pred_probs/labels saved as .npy, timed with cleanlab (n_jobs=1).
# Usage: PYTHONPATH=<cleanlab checkout> python3 cleanlab_ref.py N K   (writes into the current directory)
# cleanlab is imported from PYTHONPATH (a source checkout; see label-issues.md "Running the reference")
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores
n, K = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.RandomState(0)
y = rng.randint(0, K, n)
logits = (rng.randn(n, K) * 1.5).astype(np.float32)
logits[np.arange(n), y] += 2.5
P = np.exp(logits); P /= P.sum(1, keepdims=True); P = P.astype(np.float32)
del logits
flip = rng.rand(n) < 0.1
labels = y.copy(); labels[flip] = rng.randint(0, K, flip.sum()); labels = labels.astype(np.int32)
np.save(f"P_{n}_{K}.npy", P); np.save(f"labels_{n}_{K}.npy", labels)
out = {"n": n, "K": K, "times": {}, "sets": {}}
for mode in ["prune_by_noise_rate", "both"]:
    t = time.perf_counter(); m = find_label_issues(labels, P, filter_by=mode, n_jobs=1); out["times"][mode] = time.perf_counter() - t
    np.save(f"mask_{mode}_{n}_{K}.npy", np.flatnonzero(m).astype(np.int32))
for meth in ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]:
    t = time.perf_counter(); s = get_label_quality_scores(labels, P, method=meth); out["times"][meth] = time.perf_counter() - t
    np.save(f"scores_{meth}_{n}_{K}.npy", np.asarray(s, dtype=np.float64))
out["loadavg"] = list(__import__("os").getloadavg())
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
json.dump(out, open(f"ref_{n}_{K}.json", "w")); print(json.dumps(out))
