import type { ZodType } from 'zod';

export type AiTask = 'train' | 'predict' | 'score';

/** Thrown by a model for input it refuses (bad CSV, over a cap): the message is shown to the user. */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
  constructor(
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export interface TaskContext {
  /** Reports progress, 0..100. Cheap: call it freely. */
  progress(percent: number): void;
  /** The stored state of the trained model a predict task uses. */
  trained?: unknown;
}

/** What a task returns: a JSON result and, for training, state to store for later predictions. */
export interface TaskResult {
  result: unknown;
  trained?: { state: unknown; summary: unknown };
}

/** A task's estimated run time and what it was estimated from (shown to a user whose job is refused). */
export interface JobEstimate {
  ms: number;
  basis: Record<string, number | string>;
  /** What to change to make the job fit. */
  advice: string;
}

export interface ModelTask<S extends ZodType = ZodType> {
  description: string;
  /** Validates `{ input, params, dataset }` of a job; the same schema is published at GET /ai/models. */
  schema: S;
  /** Predict tasks run against a stored model produced by this model's `train`. */
  needsTrainedModel?: boolean;
  /**
   * How long this job will run, estimated from its (valid) input before it is queued, for tasks whose
   * cost grows fast with their input: a job estimated over the model's time limit is refused at once.
   */
  estimate?(job: import('zod').infer<S>): JobEstimate;
  run(job: import('zod').infer<S>, ctx: TaskContext): Promise<TaskResult> | TaskResult;
}

/** One model of the registry: a module in workers/models. */
export interface AiModel {
  id: string;
  version: string;
  description: string;
  /** Default time limit of one job; admins can change it per model. */
  defaultTimeoutMs: number;
  /** Test-only models are registered only with AI_TEST_MODELS=true. */
  testOnly?: boolean;
  tasks: Partial<Record<AiTask, ModelTask>>;
}

/** Helps TypeScript infer each task's schema type. */
export function task<S extends ZodType>(spec: ModelTask<S>): ModelTask {
  return spec;
}
