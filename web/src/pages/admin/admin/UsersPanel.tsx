import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, Field, useAction } from '../../../components/Form.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { PagerButtons } from './PagerButtons.tsx';
import { usePagedList } from './usePagedList.ts';

type User = Schema<'AdminUser'>;
type Role = User['role'];
const ROLES: Role[] = ['user', 'operator', 'admin'];

/**
 * Users by name: change a role, ban with a reason (and an optional end), lift a ban. `onChanged` tells the
 * page an audited action happened, so the audit log shows it; a new `version` reloads the list.
 */
export function UsersPanel(props: { version: number; onChanged: () => void }) {
  const [search, setSearch] = useState('');
  const [banning, setBanning] = useState<User>();
  const [notice, setNotice] = useState<string>();
  const list = usePagedList<User>(async (cursor) =>
    ok(api.GET('/admin/users', { params: { query: { q: search || undefined, limit: 20, cursor } } })),
  );
  useEffect(() => void list.first(), [props.version]);
  const done = async (text: string) => {
    setNotice(text);
    await list.first();
    props.onChanged();
  };
  const change = useAction(async (user: User, role: Role) => {
    setNotice(undefined);
    await ok(api.PUT('/admin/users/{id}/role', { params: { path: { id: user.id } }, body: { role } }));
    await done(`${user.username} is now ${role}.`);
  });
  const unban = useAction(async (user: User) => {
    setNotice(undefined);
    await ok(api.POST('/admin/users/{id}/unban', { params: { path: { id: user.id } }, body: {} }));
    await done(`${user.username} is no longer banned.`);
  });

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <form
        class="inline"
        role="search"
        aria-label="Users"
        onSubmit={(e) => {
          e.preventDefault();
          void list.first();
        }}
      >
        <Field label="Search users" name="q" type="search" value={search} onInput={setSearch} />
        <button type="submit" disabled={list.busy}>
          Search
        </button>
      </form>
      {list.error && <Alert>{list.error}</Alert>}
      {change.error && <Alert>{change.error}</Alert>}
      {unban.error && <Alert>{unban.error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
      <DataTable caption="Users" headers={['Username', 'E-mail', 'Role', 'Status', 'Ban', 'Actions']}>
        {list.items.map((u) => (
          <tr key={u.id}>
            <td>{u.username}</td>
            <td>{u.email}</td>
            <td>
              <select
                aria-label={`Role of ${u.username}`}
                value={u.role}
                disabled={change.busy}
                onChange={(e) => void change.run(u, e.currentTarget.value as Role)}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </td>
            <td>{u.status}</td>
            <td>
              {u.status === 'banned'
                ? `${u.ban_reason ?? ''}${u.banned_until ? ` (until ${u.banned_until})` : ''}`
                : ''}
            </td>
            <td>
              {u.status === 'banned' ? (
                <button type="button" class="small secondary" onClick={() => void unban.run(u)}>
                  Unban {u.username}
                </button>
              ) : (
                <button type="button" class="small danger" onClick={() => setBanning(u)}>
                  Ban {u.username}
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <PagerButtons what="users" {...list} />
      {banning && (
        <BanForm
          user={banning}
          onClose={() => setBanning(undefined)}
          onBanned={async () => {
            setBanning(undefined);
            await done(`${banning.username} is banned.`);
          }}
        />
      )}
    </section>
  );
}

/** Ban one user: a reason (shown to them when sign-in is refused) and, optionally, when the ban ends. */
function BanForm(props: { user: User; onClose: () => void; onBanned: () => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const ban = useAction(async () => {
    await ok(
      api.POST('/admin/users/{id}/ban', {
        params: { path: { id: props.user.id } },
        // datetime-local has no zone: the admin means their own local time.
        body: { reason, until: until ? new Date(until).toISOString() : undefined },
      }),
    );
    await props.onBanned();
  });
  return (
    <form
      class="inline ban-form"
      aria-label={`Ban ${props.user.username}`}
      onSubmit={(e) => {
        e.preventDefault();
        void ban.run();
      }}
    >
      <Field label="Ban reason" name="reason" value={reason} onInput={setReason} required />
      <label class="field">
        <span>Banned until (optional)</span>
        <input type="datetime-local" name="until" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      </label>
      <button type="submit" class="danger" disabled={ban.busy}>
        Confirm ban
      </button>
      <button type="button" class="secondary" onClick={props.onClose}>
        Cancel ban
      </button>
      {ban.error && <Alert>{ban.error}</Alert>}
    </form>
  );
}
