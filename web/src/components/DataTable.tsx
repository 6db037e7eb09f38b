import type { ComponentChildren } from 'preact';

/**
 * A scrollable table of records: `caption` is its accessible name, `headers` its column headers, the children
 * its body rows (`<tr>`s).
 */
export function DataTable(props: { caption: string; headers: string[]; children: ComponentChildren }) {
  return (
    <div class="result-scroll">
      <table class="result">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
