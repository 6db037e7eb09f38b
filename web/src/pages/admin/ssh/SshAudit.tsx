import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';

type Entry = Schema<'SshAuditPage'>['items'][number];

/** The latest SSH audit entries (admins): who ran what, where, and how it ended. */
export function SshAudit() {
  const [entries, setEntries] = useState<Entry[]>([]);
  const load = useAction(async () => {
    setEntries((await ok(api.GET('/admin/ssh/audit', { params: { query: { limit: 50 } } }))).items);
  });
  useEffect(() => void load.run(), []);
  return (
    <section aria-labelledby="ssh-audit-heading">
      <h2 id="ssh-audit-heading">Audit</h2>
      <button type="button" class="secondary" onClick={() => void load.run()} disabled={load.busy}>
        Refresh audit
      </button>
      {load.error && <Alert>{load.error}</Alert>}
      <div class="result-scroll">
        <table class="result">
          <caption>SSH audit, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{e.created_at}</td>
                <td>{e.actor.name}</td>
                <td>{e.action}</td>
                <td>{e.target.id}</td>
                <td>{e.detail ? JSON.stringify(e.detail) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
