import { useEffect } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert } from '../../../components/Form.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { PagerButtons } from './PagerButtons.tsx';
import { usePagedList } from './usePagedList.ts';

type Mail = Schema<'OutboxEntry'>;

/** E-mail Plaza sent or holds (never the bodies: they may carry a credential), newest first, page by page. */
export function OutboxPanel() {
  const list = usePagedList<Mail>(async (cursor) =>
    ok(api.GET('/admin/outbox', { params: { query: { limit: 20, cursor } } })),
  );
  useEffect(() => void list.first(), []);
  return (
    <section aria-labelledby="outbox-heading">
      <h2 id="outbox-heading">Outbox</h2>
      {list.error && <Alert>{list.error}</Alert>}
      <DataTable caption="E-mail, newest first" headers={['Created', 'To', 'Subject', 'Transport', 'Sent', 'Error']}>
        {list.items.map((m) => (
          <tr key={m.id}>
            <td>{m.created_at}</td>
            <td>{m.to}</td>
            <td>{m.subject}</td>
            <td>{m.transport}</td>
            <td>{m.sent_at ?? 'not sent'}</td>
            <td>{m.error ?? ''}</td>
          </tr>
        ))}
      </DataTable>
      <PagerButtons what="outbox" {...list} />
    </section>
  );
}
