/**
 * bench:forest — what random-forest training costs on this machine, against the estimate the model
 * uses to refuse jobs that cannot finish within its time limit (workers/models/randomForest.ts).
 * Trains a few trees per shape on the main thread (as one worker would) and prints the measured time,
 * the estimate and measured ms per row² × feature × tree. FOREST_MS_PER_UNIT is the fastest figure
 * measured (the estimate is a lower bound: it refuses only what cannot finish even on a quiet machine). BENCH_FOREST_TREES sets trees per shape (2).
 */
import { randomForest } from '../workers/models/randomForest.ts';

const TREES = Number(process.env.BENCH_FOREST_TREES ?? 2);
const SHAPES: [rows: number, features: number, depth: number, mode: 'regression' | 'classification'][] = [
  [1000, 8, 12, 'regression'],
  [2000, 8, 12, 'regression'],
  [5000, 8, 12, 'regression'],
  [5000, 8, 4, 'regression'],
  [2000, 50, 12, 'regression'],
  [5000, 8, 12, 'classification'],
];

function dataset(rows: number, features: number, mode: string): string {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const header = [...Array.from({ length: features }, (_, i) => `x${i}`), 'y'].join(',');
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, () => random() * 10);
    const y =
      mode === 'classification' ? `c${Math.floor(random() * 5)}` : (x.reduce((a, b) => a + b, 0) + random()).toFixed(3);
    lines.push([...x.map((v) => v.toFixed(3)), y].join(','));
  }
  return lines.join('\n');
}

const train = randomForest.tasks.train!;
console.log(`bench:forest — ${TREES} tree(s) per shape, main thread`);
console.log('rows  features depth mode            measured_ms estimate_ms  ms_per_unit');
for (const [rows, features, depth, mode] of SHAPES) {
  const job = train.schema.parse({
    dataset: dataset(rows, features, mode),
    params: { target: 'y', mode, n_estimators: TREES, max_depth: depth },
  });
  const estimate = train.estimate!(job);
  const started = performance.now();
  await train.run(job, { progress: () => {} });
  const measured = performance.now() - started;
  const depthShare = (2 - 2 ** (1 - depth)) / 2;
  const perUnit = measured / (rows * rows * features * TREES * depthShare);
  console.log(
    `${String(rows).padEnd(5)} ${String(features).padEnd(8)} ${String(depth).padEnd(5)} ${mode.padEnd(15)} ${String(Math.round(measured)).padStart(11)} ${String(Math.round(estimate.ms)).padStart(11)}  ${perUnit.toExponential(2)}`,
  );
}
