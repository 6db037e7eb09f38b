import { uuid } from '../../uuid.ts';
import type { Room } from '@colyseus/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../api.ts';
import { joinRoom, leave } from '../../realtime.ts';
import { session } from '../../session.ts';
import { useStore } from '../../store.ts';
import { Alert, Field, MessageTime, useAction } from '../../components/Form.tsx';
import { findUserId } from '../../components/UserPicker.tsx';
import type { PageProps } from '../types.ts';

type Message = Schema<'ChatMessage'>;
interface Member {
  userId: number;
  username: string;
  nickname: string;
  online: boolean;
  typing: boolean;
}

/** Messages by id, oldest first: a message may arrive twice (history and live), it is kept once. */
function merge(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** A group's chat: history (older pages on scroll), live messages, typing, send, edit and delete my own. */
export function GroupChat({ params }: PageProps) {
  const groupId = Number(params.id);
  const state = useStore(session);
  const me = state.status === 'signedIn' ? state.me.id : 0;
  const [group, setGroup] = useState<Schema<'ChatGroupDetail'>>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [older, setOlder] = useState<string | null | undefined>(undefined);
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<string>();
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<{ id: number; text: string }>();
  const [privateTo, setPrivateTo] = useState(0);
  const roomRef = useRef<Room | undefined>(undefined);
  const listRef = useRef<HTMLOListElement>(null);
  const typingSent = useRef(0);

  useEffect(() => {
    let room: Room | undefined;
    let gone = false;
    setMessages([]);
    (async () => {
      setGroup(await ok(api.GET('/chat/groups/{id}', { params: { path: { id: groupId } } })));
      const page = await ok(
        api.GET('/chat/groups/{id}/messages', { params: { path: { id: groupId }, query: { limit: 50 } } }),
      );
      if (gone) return;
      setMessages(merge([], page.items));
      setOlder(page.next_cursor);
      const last = page.items.reduce((max, m) => Math.max(max, m.id), 0);
      room = await joinRoom('chat', { groupId, last_seen_id: last });
      if (gone) return leave(room);
      roomRef.current = room;
      room.onMessage('sync', (p: { items: Message[]; has_more: boolean }) => {
        setMessages((ms) => merge(ms, p.items));
        if (p.has_more && p.items.length) room!.send('sync', { last_seen_id: p.items[p.items.length - 1].id });
      });
      for (const type of ['message', 'message_sent', 'message_updated', 'message_deleted'])
        room.onMessage(type, (m: Message) => setMessages((ms) => merge(ms, [m])));
      room.onMessage('read', () => undefined);
      room.onMessage('error', (e: { message: string }) => setError(e.message));
      // A large group keeps its members out of state: its first page comes from the `members` request.
      type Listed = { user_id: number; username: string; nickname: string; online: boolean };
      room.onMessage('members', (p: { items: Listed[] }) =>
        setMembers(
          p.items.map((m) => ({
            userId: m.user_id,
            username: m.username,
            nickname: m.nickname,
            online: m.online,
            typing: false,
          })),
        ),
      );
      let paged = false;
      room.onStateChange((s: { membersPaged?: boolean; members: { forEach(cb: (m: Member) => void): void } }) => {
        if (s.membersPaged) {
          if (!paged) room!.send('members', { limit: 200 });
          paged = true;
          return;
        }
        const list: Member[] = [];
        s.members.forEach((m) =>
          list.push({
            userId: m.userId,
            username: m.username,
            nickname: m.nickname,
            online: m.online,
            typing: m.typing,
          }),
        );
        setMembers(list);
      });
    })().catch((e: Error) => setError(e.message));
    return () => {
      gone = true;
      roomRef.current = undefined;
      leave(room);
    };
  }, [groupId]);

  // Keep the newest message in view, and tell the server what I have read.
  const newest = messages.length ? messages[messages.length - 1].id : 0;
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
    if (newest) roomRef.current?.send('read', { message_id: newest });
  }, [newest]);

  const loadOlder = useAction(async () => {
    if (!older) return;
    const page = await ok(
      api.GET('/chat/groups/{id}/messages', { params: { path: { id: groupId }, query: { cursor: older, limit: 50 } } }),
    );
    setMessages((ms) => merge(ms, page.items));
    setOlder(page.next_cursor);
  });

  const send = (e: Event) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || !roomRef.current) return;
    // A room DM goes only to that member (and my own devices); everyone else never receives it.
    if (privateTo) roomRef.current.send('room_dm', { to: privateTo, text: body, client_msg_id: uuid() });
    else roomRef.current.send('msg', { text: body, client_msg_id: uuid() });
    setText('');
    typingSent.current = 0;
  };
  const onType = (value: string) => {
    setText(value);
    // At most one typing signal every 3 s while typing (the server clears it after 5 s).
    if (value && Date.now() - typingSent.current > 3000) {
      typingSent.current = Date.now();
      roomRef.current?.send('typing', { typing: true });
    }
  };
  const nameOf = (userId: number | null) => {
    const member = members.find((m) => m.userId === userId);
    return member ? member.nickname || member.username : 'a member';
  };
  const typing = members.filter((m) => m.typing && m.userId !== me).map((m) => m.nickname || m.username);

  return (
    <section class="chat">
      <h1>{group?.name ?? 'Group'}</h1>
      {error && <Alert>{error}</Alert>}
      <div class="chat-body">
        <div class="chat-main">
          {older && (
            <button type="button" class="secondary" onClick={() => void loadOlder.run()} disabled={loadOlder.busy}>
              Load older messages
            </button>
          )}
          <ol
            class="messages"
            ref={listRef}
            aria-label="Messages"
            aria-live="polite"
            tabIndex={0}
            onScroll={(e) => {
              if (e.currentTarget.scrollTop === 0 && older && !loadOlder.busy) void loadOlder.run();
            }}
          >
            {messages.map((m) => (
              <li
                key={m.id}
                class={[
                  m.kind === 'system' ? 'system' : m.author_id === me ? 'mine' : '',
                  m.kind === 'room_dm' ? 'private' : '',
                ]
                  .join(' ')
                  .trim()}
              >
                {m.kind === 'room_dm' && (
                  <span class="private-tag">
                    {m.author_id === me ? `(private to ${nameOf(m.to_user_id)})` : '(private to me)'}
                  </span>
                )}
                {m.kind !== 'system' && <strong>{m.author_name}</strong>}{' '}
                {editing?.id === m.id ? (
                  <form
                    class="inline"
                    onSubmit={(e) => {
                      e.preventDefault();
                      roomRef.current?.send('edit', { message_id: m.id, text: editing.text });
                      setEditing(undefined);
                    }}
                  >
                    <Field
                      label="Edit message"
                      name="edit"
                      value={editing.text}
                      onInput={(t) => setEditing({ id: m.id, text: t })}
                    />
                    <button type="submit">Save</button>
                    <button type="button" class="secondary" onClick={() => setEditing(undefined)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <span class={m.deleted ? 'muted' : ''}>{m.deleted ? 'message deleted' : m.text}</span>
                )}
                {m.edited_at && !m.deleted && <span class="muted"> (edited)</span>}
                <MessageTime at={m.created_at} />
                {m.author_id === me && m.kind !== 'system' && !m.deleted && editing?.id !== m.id && (
                  <span class="actions">
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={`Edit message: ${m.text}`}
                      onClick={() => setEditing({ id: m.id, text: m.text })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={`Delete message: ${m.text}`}
                      onClick={() => roomRef.current?.send('delete', { message_id: m.id })}
                    >
                      Delete
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ol>
          <p class="muted typing" aria-live="polite">
            {typing.length ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : ''}
          </p>
          <form class="inline send" onSubmit={send}>
            <Field label="Message" name="message" value={text} onInput={onType} />
            <label class="field">
              <span>Send to</span>
              <select name="to" value={privateTo} onChange={(e) => setPrivateTo(Number(e.currentTarget.value))}>
                <option value={0}>Everyone</option>
                {members
                  .filter((m) => m.userId !== me)
                  .map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {`${m.nickname || m.username} (private)`}
                    </option>
                  ))}
              </select>
            </label>
            <button type="submit">{privateTo ? 'Send privately' : 'Send'}</button>
          </form>
        </div>
        <aside aria-label="Members">
          <h2>Members</h2>
          <ul class="plain">
            {members.map((m) => (
              <li key={m.userId}>
                <span class={m.online ? 'dot online' : 'dot'} aria-hidden="true" /> {m.nickname || m.username}
                <span class="sr-only">{m.online ? ' (here)' : ''}</span>
              </li>
            ))}
          </ul>
          <Invite groupId={groupId} />
        </aside>
      </div>
    </section>
  );
}

function Invite({ groupId }: { groupId: number }) {
  const [username, setUsername] = useState('');
  const [done, setDone] = useState<string>();
  const invite = useAction(async () => {
    const userId = await findUserId(username);
    await ok(api.POST('/chat/groups/{id}/invite', { params: { path: { id: groupId } }, body: { user_id: userId } }));
    setDone(`${username} is invited`);
    setUsername('');
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setDone(undefined);
        void invite.run();
      }}
    >
      <Field label="Invite by username" name="invite" value={username} onInput={setUsername} required />
      <button type="submit" disabled={invite.busy}>
        Invite
      </button>
      {invite.error && <Alert>{invite.error}</Alert>}
      {done && <Alert kind="info">{done}</Alert>}
    </form>
  );
}
