import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';

export const AI_TASKS = ['train', 'predict', 'score'] as const;
export type AiTaskName = (typeof AI_TASKS)[number];
export const AI_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type AiJobStatus = (typeof AI_JOB_STATUSES)[number];
export const AI_ACTIVE_STATUSES: AiJobStatus[] = ['queued', 'running'];

/** What a finished job reports when it did not succeed: a catalogue code and a plain message. */
export interface AiJobError {
  code: number;
  message: string;
  detail?: unknown;
}

/**
 * One unit of AI work. The table is the durable queue: the dispatcher claims `queued` rows, a runner
 * keeps `heartbeatAt` fresh while it works, and a stale `running` row belongs to a runner that died.
 */
const AiJobSchema = defineEntity({
  name: 'AiJob',
  tableName: 'ai_jobs',
  // (owner, startedAt): the dispatcher's fair claim asks when each waiting user last had a job started.
  indexes: [{ properties: ['status', 'id'] }, { properties: ['owner', 'startedAt'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    owner: () => p.manyToOne(User).deleteRule('cascade').index(),
    model: p.string().length(64),
    modelVersion: p.string().length(32),
    task: p.enum([...AI_TASKS]),
    status: p.enum([...AI_JOB_STATUSES]).default('queued'),
    progress: p.integer().default(0),
    input: p.json<unknown>().nullable(),
    params: p.json<Record<string, unknown>>(),
    /** CSV text of a training dataset; loaded only by the runner. */
    dataset: p.text().nullable().lazy(),
    trainedModelId: p.integer().nullable(),
    result: p.json<unknown>().nullable(),
    error: p.json<AiJobError>().nullable(),
    /** How many times a runner started this job (a restart may re-queue it). */
    attempts: p.integer().default(0),
    runnerId: p.string().length(64).nullable(),
    heartbeatAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class AiJob extends AiJobSchema.class {}
AiJobSchema.setClass(AiJob);
