/** One audited action as the audit tables show it. */
export interface AuditRow {
  id: number;
  created_at: string;
  actor: { name: string };
  action: string;
  target: string;
  note: string;
}

/** Who did what to what, and when: the admin audit log and the SSH audit share this table. */
export function AuditTable(props: { caption: string; noteHeading: string; rows: AuditRow[] }) {
  return (
    <div class="result-scroll">
      <table class="result">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">{props.noteHeading}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((e) => (
            <tr key={e.id}>
              <td>{e.created_at}</td>
              <td>{e.actor.name}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
              <td>{e.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
