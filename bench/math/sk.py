"""scikit-learn side of bench/math/run.mjs. Reads float32/int32 binaries written by run.mjs, times
the reference computation and writes its outputs next to the inputs. Run with /usr/bin/python3."""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np

task, d = sys.argv[1], json.loads(sys.argv[2])
out = {}
if task == "knn":
    from sklearn.neighbors import NearestNeighbors
    X = np.fromfile(d["x"], dtype=np.float32).reshape(d["n"], d["dim"])
    t = time.perf_counter()
    ind = NearestNeighbors(n_neighbors=d["k"], algorithm="brute").fit(X).kneighbors(return_distance=False)
    out["seconds"] = time.perf_counter() - t
    ind.astype(np.int32).tofile(d["out"])
elif task == "pca":
    from sklearn.decomposition import PCA
    X = np.fromfile(d["x"], dtype=np.float32).reshape(d["n"], d["dim"])
    t = time.perf_counter()
    p = PCA(n_components=d["m"], random_state=0).fit(X)
    Z = p.transform(X)
    out["seconds"] = time.perf_counter() - t
    out["ev_default"] = p.explained_variance_.tolist()
    out["ev"] = PCA(n_components=d["m"], svd_solver="full").fit(X).explained_variance_.tolist()  # untimed
elif task == "lr":
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    X = np.fromfile(d["x"], dtype=np.float32).reshape(d["n"], d["dim"])
    y = np.fromfile(d["y"], dtype=np.int32)
    t = time.perf_counter()
    P = cross_val_predict(LogisticRegression(C=1.0), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")
    out["seconds"] = time.perf_counter() - t
    P.astype(np.float32).tofile(d["out"])
print(json.dumps(out))
