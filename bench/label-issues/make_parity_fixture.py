# Regenerates the cleanlab parity fixtures of plugins/label-issues/src/fixtures (tests rebuild the same rows with the
# same generator: a 31-bit LCG, float32 of integer weight ratios):
# - cleanlab-float32-ties.json: every filter_by mode, the ranked output, the calibrated joint and num_label_issues on
#   6,000 rows, K = 20, with many exact ties (src/cleanlab-parity.test.ts);
# - cleanlab-float32-entropy.json: confidence-weighted entropy scores of 2,000 confident rows, K = 16, where numpy's
#   float32 rounding of ln(x + 1) amplifies the last bit of the entropy (src/rows-wasm.test.ts).
# Usage: PYTHONPATH=<cleanlab checkout, 7506257> /usr/bin/python3 make_parity_fixture.py ../../plugins/label-issues/src/fixtures
import sys, os, json, numpy as np, warnings
warnings.filterwarnings("ignore")
from cleanlab.filter import find_label_issues
from cleanlab.count import num_label_issues, compute_confident_joint
from cleanlab.rank import get_label_quality_scores

def weighted_rows(N, K, seed, boost, flip_one_in):
    """Row i: class i % K gets `boost(draw)` extra weight over 1 + draw % 40 per column; labels flipped one in `flip_one_in` (0: never)."""
    s = seed
    def draw():
        nonlocal s
        s = (s * 1103515245 + 12345) % 2147483648
        return s >> 8
    P = np.zeros((N, K), dtype=np.float32); labels = np.zeros(N, dtype=np.int64)
    for i in range(N):
        t = i % K
        w = [1 + draw() % 40 for k in range(K)]
        w[t] += boost(draw)
        tot = sum(w)
        P[i] = [np.float32(v / tot) for v in w]
        labels[i] = draw() % K if flip_one_in and draw() % flip_one_in == 0 else t
    return P, labels

out_dir = sys.argv[1] if len(sys.argv) > 1 else "."

P, labels = weighted_rows(6000, 20, 12345, lambda draw: 15 + draw() % 60, 10)
ties = {"modes": {}}
for mode in ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given", "low_normalized_margin", "low_self_confidence"]:
    ties["modes"][mode] = np.flatnonzero(find_label_issues(labels, P, filter_by=mode, n_jobs=1)).tolist()
ties["ranked_self_confidence"] = find_label_issues(labels, P, return_indices_ranked_by="self_confidence", n_jobs=1).tolist()
ties["ranked_normalized_margin"] = find_label_issues(labels, P, return_indices_ranked_by="normalized_margin", n_jobs=1).tolist()
ties["calibrated_joint"] = compute_confident_joint(labels, P).ravel().tolist()
ties["num_label_issues"] = [int(num_label_issues(labels, P)), int(num_label_issues(labels, P, estimation_method="off_diagonal_calibrated"))]
print({k: len(v) for k, v in ties["modes"].items()}, ties["num_label_issues"])
json.dump(ties, open(os.path.join(out_dir, "cleanlab-float32-ties.json"), "w"), separators=(",", ":"))

N, K = 2000, 16
P, labels = weighted_rows(N, K, 2024, lambda draw: 2000 + draw() % 60000, 0)
scores = get_label_quality_scores(labels, P, method="confidence_weighted_entropy")
x = (-np.sum(P * np.log(P), axis=1) / np.log(K)) / P[np.arange(N), labels]
print("entropy fixture: x from", x.min(), "to", x.max())
# shortest float32 repr of each score: Math.fround of the parsed number gives the float32 back
with open(os.path.join(out_dir, "cleanlab-float32-entropy.json"), "w") as f:
    f.write('{"N":%d,"K":%d,"seed":2024,"scores":[%s]}' % (N, K, ",".join(str(v) for v in scores)))
