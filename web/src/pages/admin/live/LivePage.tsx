import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { NoticeForm } from './NoticeForm.tsx';
import { LiveGroupPanel } from './LiveGroupPanel.tsx';
import '../admin/admin.css';

type Connection = Schema<'RealtimeConnection'>;
type LiveGroup = { group_id: number; name: string; room_id: string; connections: number; users: number };

const REFRESH_MS = 5000;
/** The lists read at most this many rows; a busier server shows the first ones (oldest connections). */
const LIMIT = 100;

/**
 * Who is connected right now (every room), and the chat groups with a live room: the old server's
 * "clients" and "groups" views. Reloads every few seconds while "Refresh automatically" is on.
 */
export function LivePage() {
  const [clients, setClients] = useState<Connection[]>([]);
  const [groups, setGroups] = useState<LiveGroup[]>([]);
  const [more, setMore] = useState(false);
  const [auto, setAuto] = useState(true);
  const [updated, setUpdated] = useState<string>();
  const [messaging, setMessaging] = useState<Connection>();
  const [groupId, setGroupId] = useState<number>();
  const load = useAction(async () => {
    const [c, g] = await Promise.all([
      ok(api.GET('/admin/realtime/clients', { params: { query: { limit: LIMIT } } })),
      ok(api.GET('/admin/realtime/groups', { params: { query: { limit: LIMIT } } })),
    ]);
    setClients(c.items);
    setGroups(g.items);
    setMore(Boolean(c.next_cursor || g.next_cursor));
    setUpdated(new Date().toLocaleTimeString());
  });
  useEffect(() => void load.run(), []);
  useEffect(() => {
    if (!auto) return;
    const timer = setInterval(() => void load.run(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [auto]);

  return (
    <section class="admin-page">
      <h1>Live clients and groups</h1>
      <div class="toolbar">
        <button type="button" class="secondary" onClick={() => void load.run()} disabled={load.busy}>
          Refresh now
        </button>
        <label class="check">
          <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} />
          Refresh automatically
        </label>
        {updated && <span class="muted">Updated {updated}</span>}
      </div>
      {load.error && <Alert>{load.error}</Alert>}
      {more && <Alert kind="info">Showing the first {LIMIT} of each list.</Alert>}
      <section aria-labelledby="clients-heading">
        <h2 id="clients-heading">Connected clients</h2>
        <DataTable
          caption="Connected clients, oldest first"
          headers={['User', 'Session', 'Address', 'Room', 'Group', 'Connected since', 'Process', 'Actions']}
        >
          {clients.map((c) => (
            <tr key={c.session_id}>
              <td>{c.username}</td>
              <td>{c.session_id}</td>
              <td>{c.address ?? <span class="muted">unknown</span>}</td>
              <td>
                {c.room} <span class="muted">{c.room_id}</span>
              </td>
              <td>{c.group_id ?? ''}</td>
              <td>{new Date(c.connected_at).toLocaleString()}</td>
              <td>{c.process_id}</td>
              <td>
                <button type="button" class="small secondary" onClick={() => setMessaging(c)}>
                  Message {c.username}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
        {clients.length === 0 && !load.busy && <p class="muted">Nobody is connected.</p>}
        {messaging && (
          <NoticeForm
            key={messaging.user_id}
            title={`Message to ${messaging.username}`}
            label="Notice text"
            submit="Send notice"
            onClose={() => setMessaging(undefined)}
            send={async (text) => {
              const sent = await ok(
                api.POST('/admin/realtime/users/{id}/send', {
                  params: { path: { id: messaging.user_id } },
                  body: { text },
                }),
              );
              return sent.delivered_live
                ? `Sent to ${messaging.username} (delivered live).`
                : `Stored for ${messaging.username}: no home connection now, they get it on their next visit.`;
            }}
          />
        )}
      </section>
      <section aria-labelledby="groups-heading">
        <h2 id="groups-heading">Live groups</h2>
        <DataTable caption="Groups with a live room" headers={['Group', 'Room', 'Connections', 'Users', 'Actions']}>
          {groups.map((g) => (
            <tr key={g.group_id}>
              <td>{g.name}</td>
              <td>{g.room_id}</td>
              <td>{g.connections}</td>
              <td>{g.users}</td>
              <td>
                <button type="button" class="small secondary" onClick={() => setGroupId(g.group_id)}>
                  Open {g.name}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
        {groups.length === 0 && !load.busy && <p class="muted">No group has a live room.</p>}
        {groupId !== undefined && (
          <LiveGroupPanel key={groupId} groupId={groupId} version={updated} onClose={() => setGroupId(undefined)} />
        )}
      </section>
    </section>
  );
}
