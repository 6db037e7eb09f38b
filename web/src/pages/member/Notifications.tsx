import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api.ts';
import { Alert, useAction } from '../../components/Form.tsx';
import { arrivals, markRead, type Notification } from '../../notifications.ts';

/** Newest first, each once: a notification may come from the list and live from the home room. */
function merge(current: Notification[], incoming: Notification[]): Notification[] {
  const byId = new Map(current.map((n) => [n.id, n]));
  for (const n of incoming) byId.set(n.id, { ...byId.get(n.id), ...n });
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/** My notifications (follows, invitations, mentions, notices), newest first, live, with "mark read". */
export function Notifications() {
  const [items, setItems] = useState<Notification[]>([]);
  const [next, setNext] = useState<string | null>();
  const load = useAction(async (cursor?: string) => {
    const page = await ok(api.GET('/notifications', { params: { query: { limit: 20, cursor } } }));
    setItems((ns) => merge(ns, page.items));
    setNext(page.next_cursor);
  });
  useEffect(() => {
    void load.run();
    return arrivals.subscribe((n) => n && setItems((ns) => merge(ns, [n])));
  }, []);
  const mark = useAction(async (ids?: number[]) => {
    await markRead(ids);
    setItems((ns) => ns.map((n) => (!ids || ids.includes(n.id) ? { ...n, read: true } : n)));
  });
  const unread = items.filter((n) => !n.read).length;

  return (
    <section>
      <h1>Notifications</h1>
      {load.error && <Alert>{load.error}</Alert>}
      {mark.error && <Alert>{mark.error}</Alert>}
      <p>
        <button type="button" onClick={() => void mark.run()} disabled={mark.busy || unread === 0}>
          Mark all read
        </button>
      </p>
      {items.length === 0 && !load.busy && <p class="muted">No notifications yet.</p>}
      <ul class="list" aria-label="My notifications" aria-live="polite">
        {items.map((n) => (
          <li key={n.id} class={n.read ? 'read' : 'unread'}>
            <span>
              {!n.read && <strong>New: </strong>}
              {n.text}
            </span>{' '}
            <time class="muted" dateTime={n.created_at}>
              {new Date(n.created_at).toLocaleString()}
            </time>
            {!n.read && (
              <span class="actions">
                <button
                  type="button"
                  class="secondary small"
                  aria-label={`Mark read: ${n.text}`}
                  onClick={() => void mark.run([n.id])}
                >
                  Mark read
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="secondary" onClick={() => void load.run(next)} disabled={load.busy}>
          Load older notifications
        </button>
      )}
    </section>
  );
}
