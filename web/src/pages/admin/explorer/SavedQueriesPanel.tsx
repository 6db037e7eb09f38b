import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';

export type SavedQuery = Schema<'SavedQuery'>;
type Chart = Schema<'SavedQueryChart'>;

/** My saved queries: save the editor's statement (and chart) under a name, load one back, delete one. */
export function SavedQueriesPanel(props: { sql: string; chart: Chart | null; onLoad: (query: SavedQuery) => void }) {
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [name, setName] = useState('');
  const [notice, setNotice] = useState<string>();
  const refresh = useAction(async () => {
    const all: SavedQuery[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(api.GET('/admin/db/saved-queries', { params: { query: { limit: 100, cursor } } }));
      all.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    setSaved(all);
  });
  useEffect(() => void refresh.run(), []);

  // Saving under a name I already used replaces that query: the name is how I find it again.
  const save = useAction(async (event: Event) => {
    event.preventDefault();
    setNotice(undefined);
    const existing = saved.find((q) => q.name === name.trim());
    const body = { name: name.trim(), sql: props.sql, chart: props.chart };
    if (existing) {
      await ok(api.PATCH('/admin/db/saved-queries/{id}', { params: { path: { id: existing.id } }, body }));
    } else {
      await ok(api.POST('/admin/db/saved-queries', { body }));
    }
    setNotice(`Saved “${body.name}”.`);
    await refresh.run();
  });
  const remove = useAction(async (query: SavedQuery) => {
    await ok(api.DELETE('/admin/db/saved-queries/{id}', { params: { path: { id: query.id } } }));
    setNotice(`Deleted “${query.name}”.`);
    await refresh.run();
  });

  return (
    <section aria-labelledby="saved-heading" class="saved-queries">
      <h2 id="saved-heading">Saved queries</h2>
      <form onSubmit={(e) => void save.run(e)} class="inline-form">
        <label class="field">
          <span>Query name</span>
          <input
            name="query-name"
            value={name}
            maxLength={100}
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={save.busy || !props.sql.trim()}>
          Save query
        </button>
      </form>
      {notice && <Alert kind="info">{notice}</Alert>}
      {(save.error ?? remove.error ?? refresh.error) && <Alert>{save.error ?? remove.error ?? refresh.error}</Alert>}
      {saved.length === 0 ? (
        <p>No saved queries yet.</p>
      ) : (
        <ul aria-label="My saved queries" class="list">
          {saved.map((q) => (
            <li key={q.id}>
              <span class="saved-name">{q.name}</span>
              {q.chart && <span class="muted"> ({q.chart.kind} chart)</span>}
              <button
                type="button"
                class="secondary"
                aria-label={`Load ${q.name}`}
                onClick={() => {
                  setName(q.name);
                  props.onLoad(q);
                }}
              >
                Load
              </button>
              <button
                type="button"
                class="danger"
                aria-label={`Delete ${q.name}`}
                onClick={() => confirm(`Delete the saved query “${q.name}”?`) && void remove.run(q)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
