import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { NoticeForm } from './NoticeForm.tsx';

type LiveGroup = Schema<'LiveGroup'>;

/** One group: its members, which of them are connected now (and since when), and a broadcast into its chat. */
export function LiveGroupPanel(props: { groupId: number; version?: string; onClose: () => void }) {
  const [group, setGroup] = useState<LiveGroup>();
  const load = useAction(async () => {
    setGroup(await ok(api.GET('/admin/realtime/groups/{id}', { params: { path: { id: props.groupId } } })));
  });
  // Reloads with the page's lists, so the live members stay current.
  useEffect(() => void load.run(), [props.version]);
  if (!group) return load.error ? <Alert>{load.error}</Alert> : null;
  const since = (userId: number) => group.connections.find((c) => c.user_id === userId)?.connected_at;
  return (
    <section aria-labelledby="live-group-heading" class="ban-form">
      <h3 id="live-group-heading">Group {group.name}</h3>
      {load.error && <Alert>{load.error}</Alert>}
      <DataTable caption={`Members of ${group.name}`} headers={['Member', 'Connected']}>
        {group.members.map((m) => {
          const at = since(m.user_id);
          return (
            <tr key={m.user_id}>
              <td>
                {m.nickname} <span class="muted">@{m.username}</span>
              </td>
              <td>{at ? `since ${new Date(at).toLocaleString()}` : 'offline'}</td>
            </tr>
          );
        })}
      </DataTable>
      <NoticeForm
        title={`Broadcast to ${group.name}`}
        label="Broadcast text"
        submit="Broadcast"
        onClose={props.onClose}
        send={async (text) => {
          await ok(
            api.POST('/admin/realtime/groups/{id}/broadcast', {
              params: { path: { id: group.group_id } },
              body: { text },
            }),
          );
          return `Posted to ${group.name} as a system message.`;
        }}
      />
    </section>
  );
}
