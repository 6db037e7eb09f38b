import { z } from 'zod';
import { idSchema, idTextSchema } from '../../domain/shared/ids.ts';
import type { AiJobService } from '../../domain/ai/AiJobService.ts';
import type { AiModelRegistry } from '../../domain/ai/AiModelRegistry.ts';
import { AI_JOB_STATUSES, AI_TASKS } from '../../../entities/AiJob.ts';
import type { Api } from '../route.ts';
import { auditActor } from '../../domain/shared/actors.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';
import { IdParam, PageQuery, pageOf } from './schemas.ts';

const AiModelSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    description: z.string(),
    enabled: z.boolean(),
    timeout_ms: z.number().int(),
    tasks: z.array(
      z.object({
        task: z.enum(AI_TASKS),
        description: z.string(),
        needs_trained_model: z.boolean(),
        input_schema: z.unknown().meta({ description: 'JSON Schema of `{ input, params, dataset }` for this task' }),
      }),
    ),
  })
  .meta({ id: 'AiModel' });

const AiJobSchema = z
  .object({
    id: z.number().int(),
    owner_id: z.number().int(),
    model: z.string(),
    model_version: z.string(),
    task: z.enum(AI_TASKS),
    status: z.enum(AI_JOB_STATUSES),
    progress: z.number().int().min(0).max(100),
    params: z.record(z.string(), z.unknown()),
    trained_model_id: z.number().int().nullable(),
    result: z
      .unknown()
      .meta({ description: 'The model’s result once succeeded; a train result carries `trained_model_id`' }),
    error: z.object({ code: z.number().int(), message: z.string(), detail: z.unknown().optional() }).nullable(),
    attempts: z.number().int(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'AiJob' });

const ModelParam = z.object({ id: z.string().min(1).max(64) });

export function aiRoutes(
  api: Api,
  registry: AiModelRegistry,
  jobs: AiJobService,
  options: { bodyLimit: number },
): void {
  api.route(
    {
      method: 'get',
      path: '/ai/models',
      operationId: 'listAiModels',
      tag: 'ai',
      access: 'user',
      summary: 'AI models and their input schemas, by id',
      query: PageQuery,
      response: pageOf(AiModelSchema, 'AiModelPage'),
    },
    async ({ query }) => pageOfList(await registry.list(), query, (m) => [m.id]),
  );

  api.route(
    {
      method: 'patch',
      path: '/admin/ai/models/:id',
      operationId: 'updateAiModel',
      tag: 'admin',
      access: 'admin',
      summary: 'Enable, disable or re-time an AI model',
      description:
        'Disabling refuses new jobs for the model; queued and running ones finish. Recorded in the audit log.',
      params: ModelParam,
      body: z
        .object({
          enabled: z.boolean().optional(),
          timeout_ms: z
            .number()
            .int()
            .min(100)
            .max(3_600_000)
            .nullable()
            .optional()
            .meta({ description: 'null restores the model default' }),
        })
        .strict(),
      response: AiModelSchema,
      errors: ['AI_MODEL_NOT_FOUND'],
    },
    ({ principal, params, body }) => registry.update(auditActor(principal), params.id, body),
  );

  api.route(
    {
      method: 'post',
      path: '/ai/jobs',
      operationId: 'createAiJob',
      tag: 'ai',
      access: 'user',
      status: 202,
      summary: 'Submit an AI job',
      description:
        'Queues the job and answers at once. Follow it with GET /ai/jobs/{id} or the `ai_job` messages of the `home` room (docs/ai.md). ' +
        '`dataset` is CSV text with a header row (train), or `dataset_file_id` names one of my own uploaded CSV files ' +
        '(POST /files; its text is copied into the job); `input` and `params` follow the task’s schema at GET /ai/models; ' +
        '`trained_model_id` (predict) is the `result.trained_model_id` of a train job.',
      body: z.object({
        model: z.string().min(1).max(64),
        task: z.enum(AI_TASKS),
        input: z.unknown().optional(),
        dataset: z.string().optional().meta({ description: 'CSV text with a header row' }),
        dataset_file_id: z
          .number()
          .int()
          .positive()
          .optional()
          .meta({ description: 'One of my uploaded files (CSV text), instead of `dataset`' }),
        params: z.record(z.string(), z.unknown()).optional(),
        trained_model_id: idSchema.optional(),
      }),
      bodyLimit: options.bodyLimit,
      response: AiJobSchema,
      errors: [
        'AI_MODEL_NOT_FOUND',
        'AI_MODEL_DISABLED',
        'AI_TASK_UNSUPPORTED',
        'AI_TRAINED_MODEL_NOT_FOUND',
        'AI_TOO_MANY_JOBS',
        'AI_INPUT_TOO_LARGE',
        'PAYLOAD_TOO_LARGE',
        'FILE_NOT_FOUND',
      ],
    },
    ({ principal, body }) => jobs.submit(principal, body),
  );

  api.route(
    {
      method: 'get',
      path: '/ai/jobs',
      operationId: 'listAiJobs',
      tag: 'ai',
      access: 'user',
      summary: 'My AI jobs, newest first (admins: everyone’s)',
      query: PageQuery.extend({
        status: z.enum(AI_JOB_STATUSES).optional(),
        user_id: idTextSchema.optional().meta({ description: 'Admins only: one user’s jobs' }),
      }),
      response: pageOf(AiJobSchema, 'AiJobPage'),
    },
    ({ principal, query }) => jobs.list(principal, query),
  );

  api.route(
    {
      method: 'get',
      path: '/ai/jobs/:id',
      operationId: 'getAiJob',
      tag: 'ai',
      access: 'user',
      summary: 'An AI job: status, progress, result or error',
      params: IdParam,
      response: AiJobSchema,
      errors: ['AI_JOB_NOT_FOUND'],
    },
    ({ principal, params }) => jobs.get(principal, params.id),
  );

  api.route(
    {
      method: 'delete',
      path: '/ai/jobs/:id',
      operationId: 'cancelAiJob',
      tag: 'ai',
      access: 'user',
      summary: 'Cancel a queued or running AI job',
      description: 'A running job’s worker thread is terminated. Answers with the cancelled job.',
      params: IdParam,
      response: AiJobSchema,
      errors: ['AI_JOB_NOT_FOUND', 'AI_JOB_FINISHED'],
    },
    ({ principal, params }) => jobs.cancel(principal, params.id),
  );
}
