export type ChartKind = 'bar' | 'line' | 'pie';

export interface ChartPoint {
  label: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 16, bottom: 64, left: 56 };
const PALETTE = ['#2458c6', '#e07b00', '#1f9d55', '#b42318', '#7a3fc4', '#0f8b8d', '#c2417a', '#6b7280'];
/** More points than this make an unreadable chart: the first ones are drawn and the figure says so. */
export const MAX_POINTS = 60;
const MAX_SLICES = 10;

/**
 * The chart's points from a result: the label column's text and the value column's number, rows whose
 * value is not a number left out.
 */
export function chartPoints(columns: string[], rows: unknown[][], label: string, value: string): ChartPoint[] {
  const l = columns.indexOf(label);
  const v = columns.indexOf(value);
  if (l < 0 || v < 0) return [];
  const points: ChartPoint[] = [];
  for (const row of rows) {
    const n = Number(row[v]);
    if (row[v] === null || row[v] === '' || !Number.isFinite(n)) continue;
    points.push({ label: row[l] === null ? 'null' : String(row[l]), value: n });
  }
  return points;
}

/** A bar, line or pie chart of a result as inline SVG (no script or style of its own, so the CSP allows it). */
export function ResultChart(props: { kind: ChartKind; points: ChartPoint[]; label: string; value: string }) {
  const points = props.points.slice(0, MAX_POINTS);
  const name = `${props.kind[0].toUpperCase()}${props.kind.slice(1)} chart of ${props.value} by ${props.label}`;
  return (
    <figure class="chart">
      <svg role="img" aria-label={name} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" height={HEIGHT}>
        <title>{name}</title>
        {props.kind === 'pie' ? <Pie points={points} /> : <Cartesian kind={props.kind} points={points} />}
      </svg>
      <figcaption>
        {name}
        {props.points.length > points.length && ` (first ${points.length} of ${props.points.length} rows)`}
      </figcaption>
    </figure>
  );
}

function Cartesian(props: { kind: 'bar' | 'line'; points: ChartPoint[] }) {
  const { points } = props;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(0, ...points.map((p) => p.value));
  const min = Math.min(0, ...points.map((p) => p.value));
  const span = max - min || 1;
  const y = (v: number) => MARGIN.top + plotH - ((v - min) / span) * plotH;
  const step = plotW / Math.max(points.length, 1);
  const x = (i: number) => MARGIN.left + step * i + step / 2;
  const ticks = [min, min + span / 2, max].filter((t, i, all) => all.indexOf(t) === i);
  return (
    <g>
      {ticks.map((t) => (
        <g key={t} class="tick">
          <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(t)} y2={y(t)} stroke="#d7dce5" />
          <text x={MARGIN.left - 6} y={y(t) + 4} text-anchor="end" font-size="11" fill="#5b6475">
            {formatNumber(t)}
          </text>
        </g>
      ))}
      <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(0)} y2={y(0)} stroke="#5b6475" />
      {props.kind === 'bar' ? (
        points.map((p, i) => (
          <rect
            key={i}
            x={x(i) - (step * 0.7) / 2}
            width={step * 0.7}
            y={Math.min(y(p.value), y(0))}
            height={Math.max(Math.abs(y(p.value) - y(0)), 1)}
            fill={PALETTE[0]}
          >
            <title>{`${p.label}: ${formatNumber(p.value)}`}</title>
          </rect>
        ))
      ) : (
        <g>
          <polyline
            fill="none"
            stroke={PALETTE[0]}
            stroke-width="2"
            points={points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')}
          />
          {points.map((p, i) => (
            <circle key={i} cx={x(i)} cy={y(p.value)} r="3.5" fill={PALETTE[0]}>
              <title>{`${p.label}: ${formatNumber(p.value)}`}</title>
            </circle>
          ))}
        </g>
      )}
      {points.map((p, i) => (
        <text
          key={i}
          x={x(i)}
          y={HEIGHT - MARGIN.bottom + 14}
          font-size="11"
          fill="#1d2330"
          text-anchor="end"
          transform={`rotate(-35 ${x(i)} ${HEIGHT - MARGIN.bottom + 14})`}
        >
          {shorten(p.label)}
        </text>
      ))}
    </g>
  );
}

function Pie(props: { points: ChartPoint[] }) {
  const positive = props.points.filter((p) => p.value > 0).sort((a, b) => b.value - a.value);
  const slices = positive.slice(0, MAX_SLICES - 1);
  const rest = positive.slice(MAX_SLICES - 1).reduce((sum, p) => sum + p.value, 0);
  if (rest > 0) slices.push({ label: 'Other', value: rest });
  const total = slices.reduce((sum, p) => sum + p.value, 0);
  const cx = HEIGHT / 2;
  const cy = HEIGHT / 2;
  const r = HEIGHT / 2 - 12;
  let angle = -Math.PI / 2;
  return (
    <g>
      {slices.map((p, i) => {
        const share = p.value / total;
        const start = angle;
        angle += share * Math.PI * 2;
        const color = PALETTE[i % PALETTE.length];
        const title = <title>{`${p.label}: ${formatNumber(p.value)} (${(share * 100).toFixed(1)}%)`}</title>;
        // A single slice is the whole circle, which an arc cannot draw.
        const shape =
          share >= 0.9999 ? (
            <circle cx={cx} cy={cy} r={r} fill={color}>
              {title}
            </circle>
          ) : (
            <path d={arc(cx, cy, r, start, angle)} fill={color} stroke="#fff">
              {title}
            </path>
          );
        return (
          <g key={i}>
            {shape}
            <rect x={HEIGHT + 16} y={16 + i * 22} width="12" height="12" fill={color} />
            <text x={HEIGHT + 34} y={26 + i * 22} font-size="12" fill="#1d2330">
              {`${shorten(p.label)} — ${formatNumber(p.value)}`}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function arc(cx: number, cy: number, r: number, from: number, to: number): string {
  const point = (a: number) => `${cx + r * Math.cos(a)} ${cy + r * Math.sin(a)}`;
  const large = to - from > Math.PI ? 1 : 0;
  return `M ${cx} ${cy} L ${point(from)} A ${r} ${r} 0 ${large} 1 ${point(to)} Z`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en') : n.toLocaleString('en', { maximumFractionDigits: 3 });
}

function shorten(text: string): string {
  return text.length > 18 ? `${text.slice(0, 17)}…` : text;
}
