import { uuid } from '../../uuid.ts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../api.ts';
import { friends, onHomeEvent } from '../../home.ts';
import { CONSOLE } from '../../router.ts';
import { session } from '../../session.ts';
import { useStore } from '../../store.ts';
import { Alert, Field, MessageTime, useAction } from '../../components/Form.tsx';
import { findUserId } from '../../components/UserPicker.tsx';
import { FileImage } from '../../components/FileImage.tsx';
import type { PageProps } from '../types.ts';

const STATUS_LABEL = { online: 'online', away: 'away', offline: 'offline' } as const;

/** The people I follow with their presence (live from my home room), and following someone new. */
export function People() {
  const list = useStore(friends);
  const [username, setUsername] = useState('');
  const follow = useAction(async () => {
    const id = await findUserId(username);
    await ok(api.POST('/users/{id}/follow', { params: { path: { id } } }));
    setUsername('');
  });
  return (
    <section>
      <h1>People</h1>
      <ul class="list" aria-label="People I follow">
        {list.length === 0 && <li>You follow nobody yet.</li>}
        {list.map((f) => (
          <li key={f.userId} class="row">
            <span class={`dot ${f.status}`} aria-hidden="true" />
            <a href={`${CONSOLE}/people/${f.userId}`}>{f.nickname || f.username}</a>
            <span class="muted">
              @{f.username} · {STATUS_LABEL[f.status] ?? f.status}
            </span>
          </li>
        ))}
      </ul>
      <h2>Follow someone</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void follow.run();
        }}
      >
        <Field label="Username to follow" name="follow" value={username} onInput={setUsername} required />
        <button type="submit" disabled={follow.busy}>
          Follow
        </button>
      </form>
      {follow.error && <Alert>{follow.error}</Alert>}
    </section>
  );
}

type Dm = Schema<'DirectMessage'>;
const mergeDms = (current: Dm[], incoming: Dm[]) => {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
};

/** My direct messages with one person: history, live arrivals (home room), send. */
export function Conversation({ params }: PageProps) {
  const other = Number(params.id);
  const state = useStore(session);
  const me = state.status === 'signedIn' ? state.me.id : 0;
  const list = useStore(friends);
  const [person, setPerson] = useState<Schema<'PublicUser'>>();
  const [messages, setMessages] = useState<Dm[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const listRef = useRef<HTMLOListElement>(null);
  const presence = list.find((f) => f.userId === other)?.status;

  useEffect(() => {
    setMessages([]);
    const stop = onHomeEvent(({ type, message }) => {
      const dm = message as Dm;
      if ((type === 'dm' || type === 'dm_sent') && (dm.from_user_id === other || dm.to_user_id === other))
        setMessages((ms) => mergeDms(ms, [dm]));
    });
    (async () => {
      setPerson(await ok(api.GET('/users/{id}', { params: { path: { id: other } } })));
      const page = await ok(
        api.GET('/chat/dms/{id}/messages', { params: { path: { id: other }, query: { limit: 50 } } }),
      );
      setMessages((ms) => mergeDms(ms, page.items));
    })().catch((e: Error) => setError(e.message));
    return stop;
  }, [other]);

  const newest = messages.length ? messages[messages.length - 1].id : 0;
  useEffect(() => {
    if (listRef.current) listRef.current.scrollTop = listRef.current.scrollHeight;
    if (newest) void api.POST('/chat/dms/{id}/read', { params: { path: { id: other } } });
  }, [newest]);

  const send = useAction(async () => {
    const body = text.trim();
    if (!body) return;
    const sent = await ok(
      api.POST('/chat/dms/{id}', {
        params: { path: { id: other } },
        body: { text: body, client_msg_id: uuid() },
      }),
    );
    setMessages((ms) => mergeDms(ms, [sent]));
    setText('');
  });
  const name = person ? person.nickname || person.username : '…';
  return (
    <section class="chat">
      <h1>
        {person?.avatar_file_id && (
          <FileImage
            file={{ id: person.avatar_file_id, original_name: `${name}'s avatar` }}
            alt={`${name}'s avatar`}
            class="avatar small"
          />
        )}{' '}
        {name} {presence && <span class="muted">({presence})</span>}
      </h1>
      {error && <Alert>{error}</Alert>}
      <ol class="messages" ref={listRef} aria-label={`Messages with ${name}`} aria-live="polite" tabIndex={0}>
        {messages.map((m) => (
          <li key={m.id} class={m.from_user_id === me ? 'mine' : ''}>
            <strong>{m.from_user_id === me ? 'me' : m.from_username}</strong> <span>{m.text}</span>
            <MessageTime at={m.created_at} />
          </li>
        ))}
      </ol>
      <form
        class="inline send"
        onSubmit={(e) => {
          e.preventDefault();
          void send.run();
        }}
      >
        <Field label="Message" name="message" value={text} onInput={setText} />
        <button type="submit" disabled={send.busy}>
          Send
        </button>
      </form>
      {send.error && <Alert>{send.error}</Alert>}
    </section>
  );
}
