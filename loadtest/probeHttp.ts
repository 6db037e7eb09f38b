/**
 * Latency prober for bench:ai, run as a separate process so the load it measures is the server's, not
 * its own: GETs `url` at a fixed rate for `ms` milliseconds and prints `{ count, errors, p50, p99, max }` (ms).
 */
const [url, msText, rateText = '50'] = process.argv.slice(2);
const duration = Number(msText);
const interval = 1000 / Number(rateText);
const latencies: number[] = [];
let errors = 0;
const inflight: Promise<void>[] = [];
const end = performance.now() + duration;
while (performance.now() < end) {
  const started = performance.now();
  inflight.push(
    fetch(url).then(
      async (res) => {
        await res.arrayBuffer();
        if (res.ok) latencies.push(performance.now() - started);
        else errors++;
      },
      () => void errors++,
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, interval));
}
await Promise.all(inflight);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? NaN;
console.log(
  JSON.stringify({ count: latencies.length, errors, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN }),
);
