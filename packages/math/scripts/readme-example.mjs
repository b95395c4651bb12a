import { Mt19937, fromRows, knn, fitPca, quantile, modifiedZscore, numpyPermutation, crossValPredictProba } from "@assay/math";

const X = fromRows([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11]]);
const graph = await knn(X, { k: 2 });
console.log(Array.from(graph.indices), Array.from(graph.distances));

const model = fitPca(X, { components: 1 });
console.log(model.explainedVarianceRatio, model.transform(X).data);

console.log(quantile([1, 2, 3, 4], 0.25), modifiedZscore([1, 1, 2, 9]));
console.log(numpyPermutation(10, 0)); // == np.random.RandomState(0).permutation(10)

const rng = new Mt19937(0);
const feats = new Float32Array(60 * 2).map(() => rng.random());
const labels = Int32Array.from({ length: 60 }, (_, i) => (feats[2 * i] > 0.5 ? 1 : 0));
const probs = crossValPredictProba({ rows: 60, cols: 2, data: feats }, labels, { folds: 5, seed: 0 });
console.log(probs.rows, probs.cols, probs.data.slice(0, 4));
