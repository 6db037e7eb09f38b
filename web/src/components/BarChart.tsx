/** A horizontal bar chart in SVG (no library): one bar per label, negative values to the left of zero. */
export function BarChart({ title, data }: { title: string; data: { label: string; value: number }[] }) {
  const width = 520;
  const labelWidth = 140;
  const row = 26;
  const height = data.length * row + 10;
  const max = Math.max(...data.map((d) => Math.abs(d.value)), 1e-12);
  const hasNegative = data.some((d) => d.value < 0);
  const plot = width - labelWidth - 70;
  const zero = labelWidth + (hasNegative ? plot / 2 : 0);
  const scale = (hasNegative ? plot / 2 : plot) / max;
  return (
    <svg role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width={width} height={height} class="chart">
      <title>{title}</title>
      <line x1={zero} x2={zero} y1={0} y2={height} stroke="#888" />
      {data.map((d, i) => {
        const w = Math.abs(d.value) * scale;
        const x = d.value < 0 ? zero - w : zero;
        const y = i * row + 5;
        return (
          <g key={d.label}>
            <text x={labelWidth - 6} y={y + 15} text-anchor="end" font-size="12">
              {d.label}
            </text>
            <rect x={x} y={y} width={Math.max(w, 1)} height={row - 8} fill={d.value < 0 ? '#c0504d' : '#2458c6'}>
              <title>{`${d.label}: ${d.value}`}</title>
            </rect>
            <text
              x={d.value < 0 ? x - 4 : x + w + 4}
              y={y + 15}
              font-size="11"
              text-anchor={d.value < 0 ? 'end' : 'start'}
            >
              {Number(d.value.toPrecision(4))}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
