import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import '../admin/admin.css';

type Model = Schema<'AiModel'>;

/**
 * AI model settings (what PATCH /admin/ai/models/:id accepts): whether a model takes new jobs, and how long
 * one job may run. Every change is recorded in the audit log.
 */
export function AiModelsPage() {
  const [models, setModels] = useState<Model[]>([]);
  const load = useAction(async () => {
    setModels((await ok(api.GET('/ai/models', { params: { query: { limit: 100 } } }))).items);
  });
  useEffect(() => void load.run(), []);
  return (
    <section class="admin-page">
      <h1>AI model settings</h1>
      <p class="muted">
        A disabled model refuses new jobs; queued and running ones finish. The timeout ends a job that runs longer.
      </p>
      {load.error && <Alert>{load.error}</Alert>}
      {models.map((m) => (
        <ModelSettings
          key={m.id}
          model={m}
          onSaved={(saved) => setModels(models.map((x) => (x.id === saved.id ? saved : x)))}
        />
      ))}
    </section>
  );
}

function ModelSettings(props: { model: Model; onSaved: (model: Model) => void }) {
  const { model } = props;
  const [enabled, setEnabled] = useState(model.enabled);
  const [timeout, setTimeoutMs] = useState(String(model.timeout_ms));
  const [notice, setNotice] = useState<string>();
  const save = useAction(async (timeoutMs: number | null) => {
    setNotice(undefined);
    const saved = await ok(
      api.PATCH('/admin/ai/models/{id}', {
        params: { path: { id: model.id } },
        body: { enabled, timeout_ms: timeoutMs },
      }),
    );
    setTimeoutMs(String(saved.timeout_ms));
    setEnabled(saved.enabled);
    props.onSaved(saved);
    setNotice(`Saved ${model.id}: ${saved.enabled ? 'enabled' : 'disabled'}, timeout ${saved.timeout_ms} ms.`);
  });
  return (
    <form
      class="ban-form admin-model"
      aria-label={`Settings of ${model.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(Number(timeout));
      }}
    >
      <h2>
        {model.id} <span class="muted">version {model.version}</span>
      </h2>
      <p>{model.description}</p>
      <p class="muted">Tasks: {model.tasks.map((t) => t.task).join(', ')}</p>
      <div class="row">
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          Enabled
        </label>
        <label class="field">
          <span>Job timeout (ms)</span>
          <input
            type="number"
            name="timeout_ms"
            min={100}
            max={3_600_000}
            step={1}
            required
            value={timeout}
            onInput={(e) => setTimeoutMs(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={save.busy}>
          Save {model.id}
        </button>
        <button type="button" class="secondary" disabled={save.busy} onClick={() => void save.run(null)}>
          Default timeout for {model.id}
        </button>
      </div>
      {save.error && <Alert>{save.error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
    </form>
  );
}
