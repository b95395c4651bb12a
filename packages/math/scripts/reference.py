"""Reference values for @assay/math tests. Run with Debian's /usr/bin/python3 (numpy 1.24,
scipy 1.10, scikit-learn 1.2). Prints JSON; the numbers are pasted into the *.test.ts files as
literals (tests never run python). Data sets are drawn from np.random.RandomState so that the TS
tests regenerate the identical float32 matrices with their own Mt19937."""
import json, sys
import numpy as np
from scipy import stats as ss
from sklearn.neighbors import NearestNeighbors
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

out = {}
rs = np.random.RandomState(0)
out["mt_seed0_first10"] = [int(v) for v in rs.randint(0, 2**32, size=10, dtype=np.uint64)] if False else None
rs = np.random.RandomState(0)
out["mt_seed0_u32"] = [int(rs.randint(0, 2**32, dtype=np.uint64)) for _ in range(0)]
# raw 32-bit outputs via tomaxint-free route: random_raw of the bit generator
from numpy.random import MT19937
bg = MT19937(); bg._legacy_seeding(0)
out["mt_seed0_raw"] = [int(v) for v in bg.random_raw(8)]
bg = MT19937(); bg._legacy_seeding(123456789)
out["mt_seed123456789_raw"] = [int(v) for v in bg.random_raw(5)]
rs = np.random.RandomState(7); out["rs7_random_sample"] = rs.random_sample(6).tolist()
rs = np.random.RandomState(7); out["rs7_randint_0_10"] = rs.randint(0, 10, size=12).tolist()
rs = np.random.RandomState(7); out["rs7_randint_5_1000003"] = rs.randint(5, 1000003, size=6).tolist()
rs = np.random.RandomState(7); out["rs7_standard_normal"] = rs.standard_normal(5).tolist()
rs = np.random.RandomState(0); out["perm_seed0_10_first_two"] = [rs.permutation(10).tolist(), rs.permutation(10).tolist()]
out["perm_seed3_20"] = np.random.RandomState(3).permutation(20).tolist()
out["perm_seed0_1000_sum_weighted"] = int(np.sum(np.random.RandomState(0).permutation(1000) * np.arange(1, 1001)))
out["perm_seed0_1000_head"] = np.random.RandomState(0).permutation(1000)[:12].tolist()

x = np.array([3.5, -1.25, 7.0, 7.0, 0.0, 2.2, 10.5, -4.0, 3.3, 1.0, 2.2])
out["stats_x"] = x.tolist()
out["stats"] = dict(mean=x.mean(), var0=x.var(), var1=x.var(ddof=1), std0=x.std(), std1=x.std(ddof=1),
    skew=float(ss.skew(x)), kurtosis=float(ss.kurtosis(x)), median=float(np.median(x)),
    q=[float(np.quantile(x, q)) for q in (0, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 1)],
    q_mid=[float(np.quantile(x, q, method="midpoint")) for q in (0.25, 0.5, 0.75)],
    q_lower=[float(np.quantile(x, q, method="lower")) for q in (0.25, 0.6)],
    q_higher=[float(np.quantile(x, q, method="higher")) for q in (0.25, 0.6)],
    q_nearest=[float(np.quantile(x, q, method="nearest")) for q in (0.25, 0.05, 0.15, 0.6)],
    mad=float(np.median(np.abs(x - np.median(x)))),
    zscore=ss.zscore(x).tolist(), zscore1=ss.zscore(x, ddof=1).tolist(),
    entropy=float(ss.entropy([1, 2, 3, 0, 4])), entropy2=float(ss.entropy([1, 2, 3, 0, 4], base=2)),
    hist10=[c.tolist() for c in np.histogram(x, 10)], hist4r=[c.tolist() for c in np.histogram(x, 4, range=(0, 8))],
    hist_edges=np.histogram(x, [-5, 0, 2.2, 7, 11])[0].tolist(),
    argsort=np.argsort(x, kind="stable").tolist())
out["stats"]["mz"] = (0.6745 * (x - np.median(x)) / out["stats"]["mad"]).tolist()
out["ndtr"] = {str(v): float(ss.norm.cdf(v)) for v in (-8.5, -3.2, -1.0, -0.3, 0.0, 0.7, 1.5, 4.0)}

def data(seed, n, d):
    return np.random.RandomState(seed).random_sample((n, d)).astype(np.float32)

def nn(X, k, metric):
    m = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric).fit(X)
    dist, ind = m.kneighbors()
    return dist, ind

X = data(42, 300, 8)
for metric in ("euclidean", "cosine"):
    dist, ind = nn(X, 5, metric)
    out[f"knn300_{metric}_ind"] = ind.ravel().tolist()
    out[f"knn300_{metric}_dist_head"] = dist[:3].ravel().tolist()
X2 = data(5, 2500, 16)
dist, ind = nn(X2, 10, "euclidean")
out["knn2500_checksum"] = int(np.sum(ind.astype(np.int64) * (np.arange(ind.size).reshape(ind.shape) % 9973 + 1)))
out["knn2500_rows"] = {str(r): ind[r].tolist() for r in (0, 1, 777, 2499)}
out["knn2500_dist0"] = dist[0].tolist()
Q = data(6, 7, 16)
m = NearestNeighbors(n_neighbors=4, algorithm="brute").fit(X2)
qd, qi = m.kneighbors(Q)
out["knnquery_ind"] = qi.ravel().tolist(); out["knnquery_dist"] = qd.ravel().tolist()
rad = NearestNeighbors(radius=0.45, algorithm="brute").fit(X)
rd, ri = rad.radius_neighbors(sort_results=True)
out["radius_counts"] = [len(r) for r in ri]
out["radius_row0"] = ri[0].tolist(); out["radius_row0_d"] = rd[0].tolist()
out["radius_total"] = int(sum(len(r) for r in ri))

def pca_data(seed, n, d):
    A = np.random.RandomState(seed).random_sample((n, d)) - 0.5
    scales = np.linspace(5, 0.3, d)
    A = A * scales
    for j in range(1, d):
        A[:, j] = A[:, j] + 0.5 * A[:, j - 1]
    return A.astype(np.float32)

P = pca_data(11, 200, 10)
p = PCA(n_components=4, svd_solver="full").fit(P)
out["pca_components"] = p.components_.ravel().tolist()
out["pca_ev"] = p.explained_variance_.tolist(); out["pca_evr"] = p.explained_variance_ratio_.tolist()
out["pca_proj_head"] = p.transform(P)[:3].ravel().tolist()
out["pca_whiten_head"] = PCA(n_components=4, whiten=True, svd_solver="full").fit_transform(P)[:2].ravel().tolist()
P2 = pca_data(12, 40, 60)  # n < d: Gram path
p2 = PCA(n_components=3, svd_solver="full").fit(P2)
out["pca_wide_components"] = p2.components_.ravel().tolist(); out["pca_wide_ev"] = p2.explained_variance_.tolist()

def clf_data(seed, n, d, K):
    rs = np.random.RandomState(seed)
    Xc = rs.random_sample((n, d)).astype(np.float32)
    noise = rs.random_sample(n); flip = rs.randint(0, K, size=n)
    y = np.argmax(Xc[:, :K], axis=1)
    y = np.where(noise < 0.25, flip, y).astype(np.int32)
    return Xc, y

Xc, yc = clf_data(21, 300, 6, 3)
out["clf_y_head"] = yc[:20].tolist()
lr = LogisticRegression(C=1.0).fit(Xc, yc)
out["lr_proba_head"] = lr.predict_proba(Xc[:5]).ravel().tolist()
out["lr_proba_sum"] = float(np.sum(lr.predict_proba(Xc) * np.arange(1, 4)))
out["lr_coef"] = lr.coef_.ravel().tolist(); out["lr_intercept"] = lr.intercept_.tolist()
lr2 = LogisticRegression(C=0.3).fit(Xc, yc)
out["lr_C03_proba_head"] = lr2.predict_proba(Xc[:3]).ravel().tolist()
Xb, yb = clf_data(22, 200, 5, 2)
lrb = LogisticRegression().fit(Xb, yb)
out["lrb_proba_head"] = lrb.predict_proba(Xb[:4]).ravel().tolist(); out["lrb_coef"] = lrb.coef_.ravel().tolist()
skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
folds = np.empty(len(yc), dtype=int)
for f, (_, te) in enumerate(skf.split(Xc, yc)): folds[te] = f
out["skf_folds"] = folds.tolist()
skf3 = StratifiedKFold(n_splits=3, shuffle=True, random_state=17)
y_odd = np.array([2, 2, 0, 1, 1, 1, 2, 0, 0, 0, 1, 2, 2, 2, 0, 1, 1])
folds3 = np.empty(len(y_odd), dtype=int)
for f, (_, te) in enumerate(skf3.split(np.zeros((len(y_odd), 1)), y_odd)): folds3[te] = f
out["skf3_y"] = y_odd.tolist(); out["skf3_folds"] = folds3.tolist()
cv = cross_val_predict(LogisticRegression(), Xc, yc, cv=skf, method="predict_proba")
out["cv_head"] = cv[:4].ravel().tolist(); out["cv_sum"] = float(np.sum(cv * np.arange(1, 4)))
json.dump(out, sys.stdout, indent=None)
