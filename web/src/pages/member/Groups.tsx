import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../api.ts';
import { CONSOLE, navigate } from '../../router.ts';
import { Alert, Field, useAction } from '../../components/Form.tsx';

/** My groups, the latest conversation first, with unread counts; create a group; discover open ones. */
export function Groups() {
  const [groups, setGroups] = useState<Schema<'MyChatGroup'>[] | undefined>();
  const [name, setName] = useState('');
  const [open, setOpen] = useState(false);
  const load = useAction(async () =>
    setGroups((await ok(api.GET('/chat/groups', { params: { query: { limit: 100 } } }))).items),
  );
  const create = useAction(async () => {
    const group = await ok(api.POST('/chat/groups', { body: { name, visibility: open ? 'open' : 'private' } }));
    navigate(`${CONSOLE}/groups/${group.id}`);
  });
  useEffect(() => void load.run(), []);
  return (
    <section>
      <h1>My groups</h1>
      {load.error && <Alert>{load.error}</Alert>}
      {groups && groups.length === 0 && <p>You are in no group yet.</p>}
      <ul class="list" aria-label="My groups">
        {groups?.map((g) => (
          <li key={g.id} class="row">
            <a href={`${CONSOLE}/groups/${g.id}`}>{g.name}</a>
            {g.unread > 0 && (
              <span class="badge" aria-label={`${g.unread} unread`}>
                {g.unread}
              </span>
            )}
            <span class="muted">{g.last_message ? `${g.last_message.from ?? ''}: ${g.last_message.text}` : ''}</span>
          </li>
        ))}
      </ul>
      <h2>New group</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <Field label="Group name" name="group-name" value={name} onInput={setName} required />
        <label class="check">
          <input type="checkbox" checked={open} onChange={(e) => setOpen(e.currentTarget.checked)} /> Open to everyone
        </label>
        <button type="submit" disabled={create.busy}>
          Create group
        </button>
      </form>
      {create.error && <Alert>{create.error}</Alert>}
      <Discover />
    </section>
  );
}

/** Open groups by name, to join. */
function Discover() {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Schema<'DiscoveredChatGroup'>[]>();
  const search = useAction(async () =>
    setFound((await ok(api.GET('/chat/groups/discover', { params: { query: { q, limit: 20 } } }))).items),
  );
  const join = useAction(async (id: number) => {
    await ok(api.POST('/chat/groups/{id}/join', { params: { path: { id } } }));
    navigate(`${CONSOLE}/groups/${id}`);
  });
  return (
    <>
      <h2>Discover open groups</h2>
      <form
        class="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search.run();
        }}
      >
        <Field label="Search open groups" name="discover" type="search" value={q} onInput={setQ} />
        <button type="submit">Search</button>
      </form>
      {(search.error ?? join.error) && <Alert>{search.error ?? join.error}</Alert>}
      <ul class="list" aria-label="Open groups">
        {found?.map((g) => (
          <li key={g.id} class="row">
            <span>{g.name}</span> <span class="muted">{g.member_count} members</span>
            <button type="button" class="secondary" onClick={() => void join.run(g.id)} aria-label={`Join ${g.name}`}>
              Join
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
