import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../api.ts';
import { CONSOLE } from '../../router.ts';
import { Alert } from '../../components/Form.tsx';

/** My groups, the latest conversation first, with unread counts. */
export function Groups() {
  const [groups, setGroups] = useState<Schema<'MyChatGroup'>[] | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    ok(api.GET('/chat/groups'))
      .then((page) => setGroups(page.items))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section>
      <h1>My groups</h1>
      {error && <Alert>{error}</Alert>}
      {groups && groups.length === 0 && <p>You are in no group yet.</p>}
      <ul class="list" aria-label="My groups">
        {groups?.map((g) => (
          <li key={g.id}>
            <a href={`${CONSOLE}/groups/${g.id}`}>{g.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}
