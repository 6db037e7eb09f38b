import { api, ok } from '../../api.ts';
import { SupportThread } from '../../components/SupportThread.tsx';
import { session } from '../../session.ts';
import { useStore } from '../../store.ts';

/** My support conversation with the admins: what I wrote, their replies live. */
export function Support() {
  const state = useStore(session);
  const me = state.status === 'signedIn' ? state.me.id : 0;
  return (
    <section class="chat">
      <h1>Support</h1>
      <p class="muted">Write to the administrators; their answers appear here.</p>
      <SupportThread
        userId={me}
        label="Support conversation"
        load={async () => (await ok(api.GET('/support/messages', { params: { query: { limit: 50 } } }))).items}
        send={(text, client_msg_id) => ok(api.POST('/support/messages', { body: { text, client_msg_id } }))}
      />
    </section>
  );
}
