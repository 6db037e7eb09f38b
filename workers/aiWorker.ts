import { workerData } from 'node:worker_threads';
import { modelCatalog } from './models/index.ts';
import { ModelInputError } from './models/types.ts';
import type { AiWorkerData, AiWorkerOutcome, AiWorkerTask } from './protocol.ts';

const models = new Map(
  modelCatalog({ testModels: (workerData as AiWorkerData | undefined)?.testModels === true }).map((m) => [m.id, m]),
);

/**
 * Piscina entry point: runs one AI job. Dispatches on model id and task, validates the job with the
 * model's schema, reports progress on `task.port`. Input the model refuses becomes `{ ok: false }`;
 * anything else thrown is a crash the server reports as such.
 */
export default async function runAiTask(job: AiWorkerTask): Promise<AiWorkerOutcome> {
  const port = job.port;
  let last = -1;
  const progress = (percent: number) => {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    if (value > last) port?.postMessage({ progress: (last = value) });
  };
  try {
    const model = models.get(job.model);
    const spec = model?.tasks[job.task as keyof typeof model.tasks];
    if (!model || !spec) return { ok: false, error: { message: `Model "${job.model}" has no task "${job.task}"` } };
    const parsed = spec.schema.safeParse({
      input: job.input ?? undefined,
      params: job.params ?? {},
      dataset: job.dataset ?? undefined,
    });
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          message: 'Invalid job input',
          detail: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      };
    }
    progress(0);
    const out = await spec.run(parsed.data, { progress, trained: job.trained });
    progress(100);
    // Results are stored as JSON: serialise here, where class instances (e.g. ml-matrix) still have their toJSON.
    return JSON.parse(JSON.stringify({ ok: true, result: out.result, trained: out.trained })) as AiWorkerOutcome;
  } catch (err) {
    if (err instanceof ModelInputError) return { ok: false, error: { message: err.message, detail: err.detail } };
    throw err;
  } finally {
    port?.close();
  }
}
