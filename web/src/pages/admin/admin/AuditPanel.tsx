import { useEffect } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert } from '../../../components/Form.tsx';
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
      <div class="result-scroll">
        <table class="result">
          <caption>Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((e) => (
              <tr key={e.id}>
                <td>{e.created_at}</td>
                <td>{e.actor.name}</td>
                <td>{e.action}</td>
                <td>
                  {e.target.type} {e.target.id}
                </td>
                <td>{e.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <PagerButtons what="audit log" {...list} />
    </section>
  );
}
