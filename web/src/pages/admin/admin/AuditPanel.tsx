import { useEffect } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert } from '../../../components/Form.tsx';
import { AuditTable } from '../../../components/AuditTable.tsx';
import { PagerButtons } from './PagerButtons.tsx';
import { usePagedList } from './usePagedList.ts';

type Entry = Schema<'AuditEntry'>;

/** The admin audit log, newest first, page by page. `version` changes after an action here, to show it. */
export function AuditPanel(props: { version: number }) {
  const list = usePagedList<Entry>(async (cursor) =>
    ok(api.GET('/admin/audit', { params: { query: { limit: 20, cursor } } })),
  );
  useEffect(() => void list.first(), [props.version]);
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      {list.error && <Alert>{list.error}</Alert>}
      <AuditTable
        caption="Audit log, newest first"
        noteHeading="Reason"
        rows={list.items.map((e) => ({ ...e, target: `${e.target.type} ${e.target.id}`, note: e.reason ?? '' }))}
      />
      <PagerButtons what="audit log" {...list} />
    </section>
  );
}
