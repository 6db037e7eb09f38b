import type { AiJob, AiJobError, AiJobStatus, AiTaskName } from '../../../entities/AiJob.ts';

export interface AiJobView {
  id: number;
  owner_id: number;
  model: string;
  model_version: string;
  task: AiTaskName;
  status: AiJobStatus;
  progress: number;
  params: Record<string, unknown>;
  trained_model_id: number | null;
  result: unknown;
  error: AiJobError | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** What a job's owner (or an admin) sees. The dataset and input are not echoed back: they can be large. */
export function jobView(job: AiJob): AiJobView {
  return {
    id: job.id,
    owner_id: job.owner.id,
    model: job.model,
    model_version: job.modelVersion,
    task: job.task,
    status: job.status,
    progress: job.progress,
    params: job.params,
    trained_model_id: job.trainedModelId ?? null,
    result: job.result ?? null,
    error: job.error ?? null,
    attempts: job.attempts,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
  };
}
