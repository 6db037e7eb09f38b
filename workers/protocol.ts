import type { MessagePort } from 'node:worker_threads';

/** What the pool hands the AI worker for one job. Plain data: it crosses a thread boundary. */
export interface AiWorkerTask {
  model: string;
  task: string;
  input: unknown;
  params: Record<string, unknown>;
  /** CSV text for training tasks. */
  dataset?: string | null;
  /** A stored trained model's state, for predict tasks. */
  trained?: unknown;
  /** Progress reports go here as `{ progress: 0..100 }`. */
  port?: MessagePort;
}

/** A job's outcome. Input the model refuses is an outcome, not a crash, so its message reaches the user intact. */
export type AiWorkerOutcome =
  | { ok: true; result: unknown; trained?: { state: unknown; summary: unknown } }
  | { ok: false; error: { message: string; detail?: unknown } };

/** `workerData` of every AI worker thread. */
export interface AiWorkerData {
  /** Registers the test-only models (spin, memory-hog). Never set in production. */
  testModels?: boolean;
}
