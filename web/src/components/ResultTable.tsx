import { DataTable } from './DataTable.tsx';

/** A query result (columns and rows) as an accessible table; `caption` is its accessible name. */
export function ResultTable(props: { caption: string; columns: string[]; rows: unknown[][] }) {
  return (
    <DataTable caption={props.caption} headers={props.columns}>
      {props.rows.map((row, i) => (
        <tr key={i}>
          {row.map((cell, j) => (
            <td key={j} class={cell === null ? 'null' : undefined}>
              {formatCell(cell)}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
