import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../api.ts';
import { onHomeEvent } from '../../home.ts';
import { CONSOLE, navigate } from '../../router.ts';
import { Alert, FileField, SelectField, useAction } from '../../components/Form.tsx';
import { BarChart } from '../../components/BarChart.tsx';
import type { PageProps } from '../types.ts';

type Job = Schema<'AiJob'>;

/** Live updates of my jobs from the home room (`ai_job` events carry the whole job). */
function useJobUpdates(onJob: (job: Job) => void): void {
  useEffect(
    () =>
      onHomeEvent(({ type, message }) => {
        if (type === 'ai_job') onJob((message as { job: Job }).job);
      }),
    [],
  );
}

/** Train a model on an uploaded CSV, and my jobs with live progress. */
export function AiJobs() {
  const [models, setModels] = useState<Schema<'AiModel'>[]>([]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [model, setModel] = useState('');
  const [csv, setCsv] = useState('');
  const [columns, setColumns] = useState<string[]>([]);
  const [target, setTarget] = useState('');
  const load = useAction(async () => {
    const all = (await ok(api.GET('/ai/models', { params: { query: { limit: 100 } } }))).items;
    const trainable = all.filter((m) => m.enabled && m.tasks.some((t) => t.task === 'train'));
    setModels(trainable);
    setModel((current) => current || trainable[0]?.id || '');
    setJobs((await ok(api.GET('/ai/jobs', { params: { query: { limit: 20 } } }))).items);
  });
  useEffect(() => void load.run(), []);
  useJobUpdates((job) => setJobs((js) => [job, ...js.filter((j) => j.id !== job.id)].sort((a, b) => b.id - a.id)));

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    setCsv(text);
    const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    setColumns(header);
    setTarget(header[header.length - 1] ?? '');
  };
  const submit = useAction(async () => {
    const job = await ok(api.POST('/ai/jobs', { body: { model, task: 'train', dataset: csv, params: { target } } }));
    navigate(`${CONSOLE}/ai/${job.id}`);
  });

  return (
    <section>
      <h1>AI jobs</h1>
      <h2>Train a model</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
      >
        <SelectField
          label="Model"
          name="model"
          options={models.map((m) => ({ value: m.id, text: `${m.id} — ${m.description}` }))}
          value={model}
          onChange={setModel}
        />
        <FileField
          label="CSV dataset"
          name="dataset"
          accept=".csv,text/csv,text/plain"
          onFiles={(files) => void readFile(files[0])}
        />
        {columns.length > 0 && (
          <SelectField label="Target column" name="target" options={columns} value={target} onChange={setTarget} />
        )}
        {submit.error && <Alert>{submit.error}</Alert>}
        <button type="submit" disabled={submit.busy || !csv || !model}>
          Start training
        </button>
      </form>
      <h2>My jobs</h2>
      {load.error && <Alert>{load.error}</Alert>}
      <ul class="list" aria-label="My jobs">
        {jobs.map((j) => (
          <li key={j.id} class="row">
            <a href={`${CONSOLE}/ai/${j.id}`}>
              Job {j.id}: {j.model} {j.task}
            </a>
            <span class="muted">
              {j.status} {j.status === 'running' ? `${j.progress}%` : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface RegressionResult {
  coefficients?: Record<string, number>;
  intercept?: number;
  r2?: number;
  rmse?: number;
  rows?: number;
  trained_model_id?: number;
}

/** One job: live progress, then its result (a regression's coefficients as a bar chart). */
export function AiJobPage({ params }: PageProps) {
  const id = Number(params.id);
  const [job, setJob] = useState<Job>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    ok(api.GET('/ai/jobs/{id}', { params: { path: { id } } }))
      .then((j) => setJob((current) => (current && current.progress > j.progress ? current : j)))
      .catch((e: Error) => setError(e.message));
  }, [id]);
  useJobUpdates((j) => {
    if (j.id === id) setJob(j);
  });
  const cancel = useAction(async () => setJob(await ok(api.DELETE('/ai/jobs/{id}', { params: { path: { id } } }))));
  if (!job) return <section>{error ? <Alert>{error}</Alert> : <p>Loading…</p>}</section>;
  const result = (job.result ?? {}) as RegressionResult;
  const done = !['queued', 'running'].includes(job.status);
  return (
    <section>
      <h1>
        Job {job.id}: {job.model} {job.task}
      </h1>
      <p role="status">Status: {job.status}</p>
      <progress max={100} value={job.progress} aria-label="Progress">
        {job.progress}%
      </progress>
      {!done && (
        <button type="button" class="danger" onClick={() => void cancel.run()}>
          Cancel job
        </button>
      )}
      {job.error && <Alert>{job.error.message}</Alert>}
      {result.coefficients && (
        <>
          <h2>Coefficients</h2>
          <BarChart
            title="Regression coefficients"
            data={Object.entries(result.coefficients).map(([label, value]) => ({ label, value }))}
          />
          <dl class="facts">
            {result.intercept !== undefined && (
              <>
                <dt>Intercept</dt>
                <dd>{result.intercept}</dd>
              </>
            )}
            {result.r2 !== undefined && (
              <>
                <dt>R²</dt>
                <dd>{result.r2}</dd>
              </>
            )}
            {result.rmse !== undefined && (
              <>
                <dt>RMSE</dt>
                <dd>{result.rmse}</dd>
              </>
            )}
            {result.rows !== undefined && (
              <>
                <dt>Rows</dt>
                <dd>{result.rows}</dd>
              </>
            )}
          </dl>
        </>
      )}
      {done && job.result !== null && !result.coefficients && <pre>{JSON.stringify(job.result, null, 2)}</pre>}
    </section>
  );
}
