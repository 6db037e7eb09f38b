import type { ZodType } from 'zod';
import type { AiJobStatus, AiTaskName } from '../../../entities/AiJob.ts';
import type { AiJobView } from './jobViews.ts';

/** A model as the domain sees it: metadata and input schema (the code that runs it lives in workers/). */
export interface ModelDescriptor {
  id: string;
  version: string;
  description: string;
  defaultTimeoutMs: number;
  testOnly?: boolean;
  tasks: Partial<Record<AiTaskName, TaskDescriptor>>;
}

export interface TaskDescriptor {
  description: string;
  schema: ZodType;
  needsTrainedModel?: boolean;
  /** Estimated run time of a job whose input passed `schema` (see workers/models/types.ts). */
  estimate?(job: unknown): { ms: number; basis: Record<string, number | string>; advice: string };
}

/** One job as handed to a runner: plain data. */
export interface RunnerTask {
  model: string;
  task: AiTaskName;
  input: unknown;
  params: Record<string, unknown>;
  dataset?: string | null;
  trained?: unknown;
}

export type RunnerOutcome =
  | { ok: true; result: unknown; trained?: { state: unknown; summary: unknown } }
  | { ok: false; error: { message: string; detail?: unknown } };

/**
 * Runs jobs off the main thread (implemented by the Piscina pool in src/infra). Aborting `signal`
 * must stop the work (terminate the worker) and reject with an AbortError whose `cause` is the
 * signal's reason. A worker over its memory limit rejects with code ERR_WORKER_OUT_OF_MEMORY.
 */
export interface JobRunner {
  /** Jobs it can run at once; the dispatcher never hands it more. */
  readonly capacity: number;
  run(task: RunnerTask, options: { signal: AbortSignal; onProgress(percent: number): void }): Promise<RunnerOutcome>;
  close(): Promise<void>;
}

/** What a user is told about their job while it runs and when it ends (see docs/ai.md). */
export type AiJobEvent =
  | {
      type: 'ai_job';
      event: 'progress';
      job: { id: number; model: string; task: AiTaskName; status: AiJobStatus; progress: number };
    }
  | { type: 'ai_job'; event: 'status'; job: AiJobView };

/** Pushes job events to a user, wherever they are connected. Must not throw. */
export interface JobNotifier {
  notify(userId: number, event: AiJobEvent): void;
}

/** What the job service asks of the dispatcher. */
export interface JobControl {
  /** New work is queued: look at the queue now rather than at the next poll. */
  kick(): void;
  /** Stops a job this process is running (its row is already cancelled). */
  abort(jobId: number): void;
}
