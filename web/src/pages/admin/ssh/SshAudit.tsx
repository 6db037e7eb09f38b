import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import { AuditTable } from '../../../components/AuditTable.tsx';

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
      <AuditTable
        caption="SSH audit, newest first"
        noteHeading="Detail"
        rows={entries.map((e) => ({ ...e, target: e.target.id, note: e.detail ? JSON.stringify(e.detail) : '' }))}
      />
    </section>
  );
}
