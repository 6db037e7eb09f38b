import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, Field, useAction } from '../../../components/Form.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { findUserId } from '../../../components/UserPicker.tsx';
import { PagerButtons } from '../admin/PagerButtons.tsx';
import { usePagedList } from '../admin/usePagedList.ts';

type Board = Schema<'Board'>;
type Grant = Schema<'BoardGrant'>;
type Permission = 'read' | 'write' | 'comment' | 'upload';
const PERMISSIONS: Permission[] = ['read', 'write', 'comment', 'upload'];

/** A board's grants: who may do what on it, a grant to one more user, a revoke. */
export function GrantsPanel(props: { board: Board }) {
  const { board } = props;
  const [username, setUsername] = useState('');
  const [wanted, setWanted] = useState<Record<Permission, boolean>>({
    read: true,
    write: false,
    comment: false,
    upload: false,
  });
  const [notice, setNotice] = useState<string>();
  const list = usePagedList<Grant>(async (cursor) =>
    ok(api.GET('/boards/{id}/access', { params: { path: { id: board.id }, query: { limit: 50, cursor } } })),
  );
  useEffect(() => void list.first(), []);
  const grant = useAction(async () => {
    setNotice(undefined);
    const userId = await findUserId(username);
    // Anything more than reading needs reading.
    const body = { ...wanted, read: wanted.read || wanted.write || wanted.comment || wanted.upload };
    await ok(api.PUT('/boards/{id}/access/{userId}', { params: { path: { id: board.id, userId } }, body }));
    setNotice(`${username.trim()} may now ${PERMISSIONS.filter((p) => body[p]).join(', ')} on ${board.name}.`);
    setUsername('');
    await list.first();
  });
  const revoke = useAction(async (g: Grant) => {
    setNotice(undefined);
    await ok(api.DELETE('/boards/{id}/access/{userId}', { params: { path: { id: board.id, userId: g.user.id } } }));
    setNotice(`${g.user.username}'s grant on ${board.name} is revoked.`);
    await list.first();
  });
  return (
    <section aria-labelledby="grants-heading">
      <h2 id="grants-heading">Grants of {board.name}</h2>
      <p class="muted">
        Access policy: {board.access}.{' '}
        {board.access === 'public'
          ? 'Everyone signed in already reads and writes; grants change nothing here.'
          : board.access === 'restricted'
            ? 'Only the users below see this board.'
            : 'Everyone reads; the users below may also write, comment or upload.'}
      </p>
      {list.error && <Alert>{list.error}</Alert>}
      {revoke.error && <Alert>{revoke.error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
      <DataTable caption={`Grants on ${board.name}`} headers={['User', ...PERMISSIONS, 'Actions']}>
        {list.items.map((g) => (
          <tr key={g.user.id}>
            <td>{g.user.username}</td>
            {PERMISSIONS.map((p) => (
              <td key={p}>{g[p] ? 'yes' : 'no'}</td>
            ))}
            <td>
              <button type="button" class="small danger" onClick={() => void revoke.run(g)}>
                Revoke {g.user.username}
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      <PagerButtons what="grants" {...list} />
      <form
        class="inline"
        aria-label={`Grant access to ${board.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          void grant.run();
        }}
      >
        <Field label="Grant to username" name="username" value={username} onInput={setUsername} required />
        {PERMISSIONS.map((p) => (
          <label key={p} class="check">
            <input
              type="checkbox"
              checked={wanted[p]}
              onChange={(e) => setWanted({ ...wanted, [p]: e.currentTarget.checked })}
            />
            {p}
          </label>
        ))}
        <button type="submit" disabled={grant.busy}>
          Grant
        </button>
        {grant.error && <Alert>{grant.error}</Alert>}
      </form>
    </section>
  );
}
