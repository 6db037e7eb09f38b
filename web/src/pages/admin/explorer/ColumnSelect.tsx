/** A labelled choice of one of a result's columns (the chart's label or value column). */
export function ColumnSelect(props: {
  label: string;
  columns: string[];
  value: string;
  disabled?: boolean;
  onChange: (column: string) => void;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
}
