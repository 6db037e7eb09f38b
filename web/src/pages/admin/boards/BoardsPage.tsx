import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { PagerButtons } from '../admin/PagerButtons.tsx';
import { usePagedList } from '../admin/usePagedList.ts';
import { BoardForm } from './BoardForm.tsx';
import { GrantsPanel } from './GrantsPanel.tsx';
import '../admin/admin.css';

type Board = Schema<'Board'>;

/** Boards for admins: every board (or the deleted ones, to restore), a board's settings, and its grants. */
export function BoardsPage() {
  const [deleted, setDeleted] = useState(false);
  const [editing, setEditing] = useState<Board | 'new'>();
  const [granting, setGranting] = useState<Board>();
  const [notice, setNotice] = useState<string>();
  const list = usePagedList<Board>(async (cursor) =>
    ok(api.GET('/boards', { params: { query: { deleted: deleted ? 'true' : undefined, limit: 20, cursor } } })),
  );
  useEffect(() => void list.first(), [deleted]);
  const done = async (text: string) => {
    setNotice(text);
    await list.first();
  };
  const remove = useAction(async (board: Board) => {
    await ok(api.DELETE('/boards/{id}', { params: { path: { id: board.id } } }));
    if (granting?.id === board.id) setGranting(undefined);
    await done(`${board.name} is deleted (restore it from the deleted boards).`);
  });
  const restore = useAction(async (board: Board) => {
    await ok(api.POST('/boards/{id}/restore', { params: { path: { id: board.id } } }));
    await done(`${board.name} is restored.`);
  });

  return (
    <section class="admin-page">
      <h1>Boards and grants</h1>
      <section aria-labelledby="boards-heading">
        <h2 id="boards-heading">{deleted ? 'Deleted boards' : 'Boards'}</h2>
        <div class="toolbar">
          <label class="check">
            <input type="checkbox" checked={deleted} onChange={(e) => setDeleted(e.currentTarget.checked)} />
            Show deleted boards
          </label>
          <button type="button" onClick={() => setEditing('new')}>
            New board
          </button>
        </div>
        {list.error && <Alert>{list.error}</Alert>}
        {remove.error && <Alert>{remove.error}</Alert>}
        {restore.error && <Alert>{restore.error}</Alert>}
        {notice && <Alert kind="info">{notice}</Alert>}
        <DataTable
          caption={deleted ? 'Deleted boards' : 'Boards'}
          headers={['Name', 'Access', 'Listed', 'Open', 'Actions']}
        >
          {list.items.map((b) => (
            <tr key={b.id}>
              <td>{b.name}</td>
              <td>{b.access}</td>
              <td>{b.visible ? 'yes' : 'hidden'}</td>
              <td>{b.available ? 'yes' : 'closed'}</td>
              <td>
                <div class="row">
                  {b.deleted_at ? (
                    <button type="button" class="small" onClick={() => void restore.run(b)}>
                      Restore {b.name}
                    </button>
                  ) : (
                    <>
                      <button type="button" class="small secondary" onClick={() => setEditing(b)}>
                        Edit {b.name}
                      </button>
                      <button type="button" class="small secondary" onClick={() => setGranting(b)}>
                        Grants of {b.name}
                      </button>
                      <button type="button" class="small danger" onClick={() => void remove.run(b)}>
                        Delete {b.name}
                      </button>
                    </>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </DataTable>
        <PagerButtons what="boards" {...list} />
      </section>
      {editing && (
        <BoardForm
          key={editing === 'new' ? 'new' : editing.id}
          board={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={async (board) => {
            setEditing(undefined);
            await done(`Saved ${board.name}.`);
          }}
        />
      )}
      {granting && <GrantsPanel key={granting.id} board={granting} />}
    </section>
  );
}
