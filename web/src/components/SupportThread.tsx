import { useEffect, useRef, useState } from 'preact/hooks';
import type { Schema } from '../api.ts';
import { onHomeEvent } from '../home.ts';
import { uuid } from '../uuid.ts';
import { ActionForm, Alert, Field, MessageTime, useAction } from './Form.tsx';

export type SupportMessage = Schema<'SupportMessage'>;

/** Oldest first, each once: a message may come from the history and live from the home room. */
export function mergeSupport(current: SupportMessage[], incoming: SupportMessage[]): SupportMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * One support conversation (a member's with the admins): its history, messages arriving live through the
 * home room's `support` events, and a form to write. `load` gives the newest page (newest first, as the API
 * answers); `send` stores a message and answers it.
 */
export function SupportThread(props: {
  userId: number;
  label: string;
  /** Whether the one reading is an admin: their side of the conversation shows as "mine". */
  asAdmin?: boolean;
  load: () => Promise<SupportMessage[]>;
  send: (text: string, clientMsgId: string) => Promise<SupportMessage>;
}) {
  const [messages, setMessages] = useState<SupportMessage[]>([]);
  const [text, setText] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const load = useAction(async () => {
    const page = await props.load();
    setMessages((ms) => mergeSupport(ms, page));
  });
  useEffect(() => {
    setMessages([]);
    void load.run();
    return onHomeEvent(({ type, message }) => {
      const m = message as SupportMessage;
      if (type === 'support' && m.user_id === props.userId) setMessages((ms) => mergeSupport(ms, [m]));
    });
  }, [props.userId]);
  const newest = messages.length ? messages[messages.length - 1].id : 0;
  useEffect(() => {
    if (listRef.current) listRef.current.scrollTop = listRef.current.scrollHeight;
  }, [newest]);
  const send = useAction(async () => {
    const body = text.trim();
    if (!body) return;
    const sent = await props.send(body, uuid());
    setMessages((ms) => mergeSupport(ms, [sent]));
    setText('');
  });
  return (
    <>
      <ol class="messages" ref={listRef} aria-label={props.label} aria-live="polite" tabIndex={0}>
        {messages.map((m) => (
          <li key={m.id} class={m.from_admin === Boolean(props.asAdmin) ? 'mine' : ''}>
            <strong>{m.from_admin ? `${m.author_name} (admin)` : m.author_name}</strong> <span>{m.text}</span>
            <MessageTime at={m.created_at} />
          </li>
        ))}
      </ol>
      {load.error && <Alert>{load.error}</Alert>}
      <ActionForm action={send} submit="Send" class="inline send">
        <Field label="Message" name="message" value={text} onInput={setText} />
      </ActionForm>
    </>
  );
}
