import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import { SupportThread, type SupportMessage } from '../../../components/SupportThread.tsx';
import { onHomeEvent } from '../../../home.ts';
import './support.css';

type Conversation = Schema<'SupportConversationPage'>['items'][number];

/** The admins' support inbox: every member's conversation, latest first, refreshed as messages arrive; reply to one. */
export function SupportInbox() {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [next, setNext] = useState<string | null>();
  const [open, setOpen] = useState<Conversation>();
  const load = useAction(async (cursor?: string) => {
    const page = await ok(api.GET('/admin/support/conversations', { params: { query: { limit: 50, cursor } } }));
    setConversations((cs) => (cursor ? [...cs, ...page.items] : page.items));
    setNext(page.next_cursor);
  });
  useEffect(() => {
    void load.run();
    // A new message moves its conversation to the top: read the first page again.
    return onHomeEvent(({ type }) => type === 'support' && void load.run());
  }, []);

  return (
    <section>
      <h1>Support inbox</h1>
      {load.error && <Alert>{load.error}</Alert>}
      <div class="support-inbox">
        <nav aria-label="Support conversations">
          {conversations.length === 0 && !load.busy && <p class="muted">No support conversations yet.</p>}
          <ul class="list">
            {conversations.map((c) => (
              <li key={c.user_id}>
                <button
                  type="button"
                  class={open?.user_id === c.user_id ? '' : 'secondary'}
                  aria-pressed={open?.user_id === c.user_id}
                  aria-label={`Open conversation with ${c.username}`}
                  onClick={() => setOpen(c)}
                >
                  {c.username}
                </button>{' '}
                <span class="muted">
                  {c.last_message.from_admin ? 'answered: ' : ''}
                  {c.last_message.text}
                </span>
              </li>
            ))}
          </ul>
          {next && (
            <button type="button" class="secondary" onClick={() => void load.run(next)} disabled={load.busy}>
              More conversations
            </button>
          )}
        </nav>
        <div class="chat-main">
          {open ? (
            <>
              <h2>{open.username}</h2>
              <SupportThread
                userId={open.user_id}
                label={`Support conversation with ${open.username}`}
                asAdmin
                load={() => messagesOf(open.user_id)}
                send={(text, client_msg_id) =>
                  ok(
                    api.POST('/admin/support/conversations/{id}/messages', {
                      params: { path: { id: open.user_id } },
                      body: { text, client_msg_id },
                    }),
                  )
                }
              />
            </>
          ) : (
            <p class="muted">Pick a conversation to read and answer it.</p>
          )}
        </div>
      </div>
    </section>
  );
}

async function messagesOf(userId: number): Promise<SupportMessage[]> {
  const page = await ok(
    api.GET('/admin/support/conversations/{id}/messages', {
      params: { path: { id: userId }, query: { limit: 50 } },
    }),
  );
  return page.items;
}
