import { useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, Field, SelectField, useAction } from '../../../components/Form.tsx';

type Board = Schema<'Board'>;
type Access = Board['access'];

const ACCESS: { value: Access; text: string }[] = [
  { value: 'public', text: 'public: every signed-in user reads and writes' },
  { value: 'restricted', text: 'restricted: only users with a grant' },
  { value: 'readonly', text: 'readonly: everyone reads, granted users write' },
];

/** Creates a board, or edits one: name, description, access policy, listed, open for new content. */
export function BoardForm(props: { board?: Board; onClose: () => void; onSaved: (board: Board) => Promise<void> }) {
  const { board } = props;
  const [name, setName] = useState(board?.name ?? '');
  const [description, setDescription] = useState(board?.description ?? '');
  const [access, setAccess] = useState<Access>(board?.access ?? 'public');
  const [visible, setVisible] = useState(board?.visible ?? true);
  const [available, setAvailable] = useState(board?.available ?? true);
  const title = board ? `Edit board ${board.name}` : 'New board';
  const save = useAction(async () => {
    const body = { name, description, access, visible, available };
    const saved = board
      ? await ok(api.PATCH('/boards/{id}', { params: { path: { id: board.id } }, body }))
      : await ok(api.POST('/boards', { body }));
    await props.onSaved(saved);
  });
  return (
    <section aria-labelledby="board-form-heading">
      <h2 id="board-form-heading">{title}</h2>
      <form
        class="inline ban-form"
        aria-label={title}
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <Field label="Board name" name="name" value={name} onInput={setName} required />
        <Field label="Description" name="description" value={description} onInput={setDescription} />
        <SelectField label="Access policy" name="access" options={ACCESS} value={access} onChange={setAccess} />
        <label class="check">
          <input type="checkbox" checked={visible} onChange={(e) => setVisible(e.currentTarget.checked)} />
          Listed
        </label>
        <label class="check">
          <input type="checkbox" checked={available} onChange={(e) => setAvailable(e.currentTarget.checked)} />
          Open for new content
        </label>
        <button type="submit" disabled={save.busy}>
          Save board
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Cancel
        </button>
        {save.error && <Alert>{save.error}</Alert>}
      </form>
    </section>
  );
}
