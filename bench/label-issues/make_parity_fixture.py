# Regenerates plugins/label-issues/src/fixtures/cleanlab-float32-ties.json (the cleanlab parity test fixture).
# Usage: PYTHONPATH=<cleanlab checkout> python3 make_parity_fixture.py ../../plugins/label-issues/src/fixtures/cleanlab-float32-ties.json
import sys, json, numpy as np, warnings
warnings.filterwarnings("ignore")
# cleanlab comes from PYTHONPATH (a source checkout of cleanlab 7506257)
from cleanlab.filter import find_label_issues
from cleanlab.count import num_label_issues, compute_confident_joint
N, K = 6000, 20
P = np.zeros((N, K), dtype=np.float32); labels = np.zeros(N, dtype=np.int64)
s = 12345
def lcg():
    global s
    s = (s * 1103515245 + 12345) % 2147483648
    return s >> 8
for i in range(N):
    t = i % K
    w = [1 + lcg() % 40 for k in range(K)]
    w[t] += 15 + lcg() % 60
    tot = sum(w)
    P[i] = [np.float32(v / tot) for v in w]
    labels[i] = lcg() % K if lcg() % 10 == 0 else t
out = {"modes": {}}
for mode in ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given", "low_normalized_margin", "low_self_confidence"]:
    out["modes"][mode] = np.flatnonzero(find_label_issues(labels, P, filter_by=mode, n_jobs=1)).tolist()
out["ranked_self_confidence"] = find_label_issues(labels, P, return_indices_ranked_by="self_confidence", n_jobs=1).tolist()
out["ranked_normalized_margin"] = find_label_issues(labels, P, return_indices_ranked_by="normalized_margin", n_jobs=1).tolist()
out["calibrated_joint"] = compute_confident_joint(labels, P).ravel().tolist()
out["num_label_issues"] = [int(num_label_issues(labels, P)), int(num_label_issues(labels, P, estimation_method="off_diagonal_calibrated"))]
print({k: len(v) for k, v in out["modes"].items()}, out["num_label_issues"])
json.dump(out, open(sys.argv[1] if len(sys.argv) > 1 else "cleanlab-float32-ties.json", "w"), separators=(",", ":"))
