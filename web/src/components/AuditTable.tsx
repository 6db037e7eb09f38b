import { DataTable } from './DataTable.tsx';

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
    <DataTable caption={props.caption} headers={['When', 'Who', 'Action', 'Target', props.noteHeading]}>
      {props.rows.map((e) => (
        <tr key={e.id}>
          <td>{e.created_at}</td>
          <td>{e.actor.name}</td>
          <td>{e.action}</td>
          <td>{e.target}</td>
          <td>{e.note}</td>
        </tr>
      ))}
    </DataTable>
  );
}
