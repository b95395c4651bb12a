# Regenerates plugins/label-issues/src/fixtures/cleanlab-float32-entropy.json: cleanlab's confidence-weighted
# entropy scores of confident float32 rows, where numpy's float32 rounding of ln(x + 1) amplifies the last bit
# of the entropy. The test rebuilds the same rows with the same generator (float32 of integer ratios).
# Usage: PYTHONPATH=<cleanlab checkout> python3 make_entropy_fixture.py ../../plugins/label-issues/src/fixtures/cleanlab-float32-entropy.json
import sys, json, numpy as np, warnings
warnings.filterwarnings("ignore")
from cleanlab.rank import get_label_quality_scores
N, K = 2000, 16
P = np.zeros((N, K), dtype=np.float32); labels = np.zeros(N, dtype=np.int64)
s = 2024
def lcg():
    global s
    s = (s * 1103515245 + 12345) % 2147483648
    return s >> 8
for i in range(N):
    t = i % K
    w = [1 + lcg() % 40 for k in range(K)]
    w[t] += 2000 + lcg() % 60000
    tot = sum(w)
    P[i] = [np.float32(v / tot) for v in w]
    labels[i] = t
scores = get_label_quality_scores(labels, P, method="confidence_weighted_entropy")
H = -np.sum(P * np.log(P), axis=1) / np.log(K)
x = H / P[np.arange(N), labels]
print(scores.dtype, "x quantiles", np.quantile(x, [0, 0.1, 0.5, 0.9, 1]))
# shortest float32 repr of each score: Math.fround of the parsed number gives the float32 back
open(sys.argv[1], "w").write('{"N":%d,"K":%d,"seed":2024,"scores":[%s]}' % (N, K, ",".join(str(v) for v in scores)))
