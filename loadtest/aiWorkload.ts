/**
 * The CPU-bound AI job the benchmarks use: random-forest training on a deterministic synthetic CSV
 * (6 features). bench:ai runs it three ways; bench:chat --ai-jobs keeps the server's pool busy with it.
 */
export function forestDataset(rows: number): string {
  const lines = ['a,b,c,d,e,f,y'];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 6 }, () => random() * 10);
    lines.push([...x.map((v) => v.toFixed(3)), (3 * x[0] + x[1] * x[2] - 2 * x[3] + random()).toFixed(3)].join(','));
  }
  return lines.join('\n');
}

/** The body of POST /ai/jobs for one such training job. */
export function forestJob(rows: number, trees: number) {
  return {
    model: 'random-forest',
    task: 'train' as const,
    input: null,
    dataset: forestDataset(rows),
    params: { target: 'y', n_estimators: trees, max_depth: 8 },
  };
}
