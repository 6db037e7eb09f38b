import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { AI_ACTIVE_STATUSES, AiJob, type AiJobStatus, type AiTaskName } from '../../../entities/AiJob.ts';
import { AiTrainedModel } from '../../../entities/AiTrainedModel.ts';
import type { Principal } from '../auth/TokenService.ts';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import type { AiModelRegistry } from './AiModelRegistry.ts';
import { jobView, type AiJobView } from './jobViews.ts';
import { jobError } from './jobErrors.ts';
import type { JobControl, JobNotifier, TaskDescriptor } from './ports.ts';

export interface SubmitJob {
  model: string;
  task: AiTaskName;
  input?: unknown;
  dataset?: string;
  /** One of the caller's own uploaded files, CSV text, used as `dataset`. */
  dataset_file_id?: number;
  params?: Record<string, unknown>;
  trained_model_id?: number;
}

const idCursor = z.tuple([z.number().int()]);

/** The caller's own uploaded files, read as datasets (the files area implements it). */
export interface DatasetFiles {
  /** FILE_NOT_FOUND unless the file exists and `owner` uploaded it. */
  openOwn(owner: Principal, fileId: number): Promise<{ mime: string; size: number; bytes(): Promise<Buffer> }>;
}

/** Users' AI jobs: submit (queued in the database), read, list, cancel. Running them is the dispatcher's work. */
export class AiJobService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: AiModelRegistry,
    private readonly control: JobControl,
    private readonly notifier: JobNotifier,
    private readonly limits: { maxActivePerUser: number; maxInputBytes: number },
    private readonly datasetFiles?: DatasetFiles,
  ) {}

  async submit(principal: Principal, request: SubmitJob): Promise<AiJobView> {
    const { model, spec } = await this.registry.resolve(request.model, request.task);
    const params = request.params ?? {};
    const dataset = await this.datasetOf(principal, request);
    const size =
      Buffer.byteLength(dataset ?? '') +
      Buffer.byteLength(JSON.stringify(request.input ?? null)) +
      Buffer.byteLength(JSON.stringify(params));
    if (size > this.limits.maxInputBytes) {
      throw new AppError('AI_INPUT_TOO_LARGE', { detail: { bytes: size, max_bytes: this.limits.maxInputBytes } });
    }
    const parsed = spec.schema.safeParse({ input: request.input, params, dataset });
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', {
        detail: parsed.error.issues.map((issue) => ({
          path: ['body', ...issue.path].join('.'),
          message: issue.message,
        })),
      });
    }
    await this.refuseWhatCannotFinish(model.id, spec, parsed.data);
    let trainedModelId: number | null = null;
    if (spec.needsTrainedModel) {
      if (request.trained_model_id === undefined) {
        throw new AppError('VALIDATION_FAILED', {
          detail: [
            { path: 'body.trained_model_id', message: `Required for ${request.task}: the result of a train job` },
          ],
        });
      }
      const trained = await this.em.findOne(
        AiTrainedModel,
        { id: request.trained_model_id, model: model.id },
        { fields: ['id', 'owner', 'modelVersion'] },
      );
      if (!trained || !canSee(principal, trained.owner.id) || trained.modelVersion !== model.version) {
        throw new AppError('AI_TRAINED_MODEL_NOT_FOUND', {
          detail: { trained_model_id: request.trained_model_id, model: model.id },
        });
      }
      trainedModelId = trained.id;
    }

    const job = this.em.create(AiJob, {
      owner: principal.userId,
      model: model.id,
      modelVersion: model.version,
      task: request.task,
      status: 'queued',
      input: request.input ?? null,
      params,
      dataset: dataset ?? null,
      trainedModelId,
      result: null,
    });
    await this.em.flush();
    // Insert first, then count: two racing submissions can both be refused, but a user never exceeds K.
    const active = await this.em.count(AiJob, { owner: principal.userId, status: { $in: AI_ACTIVE_STATUSES } });
    if (active > this.limits.maxActivePerUser) {
      await this.em.nativeDelete(AiJob, { id: job.id });
      throw new AppError('AI_TOO_MANY_JOBS', {
        detail: { max_active_jobs: this.limits.maxActivePerUser },
        headers: { 'Retry-After': '5' },
      });
    }
    const view = jobView(job);
    this.notifier.notify(principal.userId, { type: 'ai_job', event: 'status', job: view });
    this.control.kick();
    return view;
  }

  async get(principal: Principal, id: number): Promise<AiJobView> {
    return jobView(await this.findVisible(principal, id));
  }

  /** My jobs, newest first; admins see everyone's (optionally one user's). */
  async list(
    principal: Principal,
    input: { status?: AiJobStatus; user_id?: number; cursor?: string; limit: number },
  ): Promise<Page<AiJobView>> {
    const before = decodeCursor(input.cursor, idCursor);
    const where: Record<string, unknown> = {};
    if (principal.role !== 'admin') where.owner = principal.userId;
    else if (input.user_id) where.owner = input.user_id;
    if (input.status) where.status = input.status;
    if (before) where.id = { $lt: before[0] };
    const rows = await this.em.find(AiJob, where, { orderBy: { id: 'desc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, jobView, (j) => [j.id]);
  }

  /** Cancels a queued or running job; a running job's worker thread is terminated. */
  async cancel(principal: Principal, id: number): Promise<AiJobView> {
    const job = await this.findVisible(principal, id);
    const now = new Date();
    const changed = await this.em.nativeUpdate(
      AiJob,
      { id, status: { $in: AI_ACTIVE_STATUSES } },
      {
        status: 'cancelled',
        finishedAt: now,
        updatedAt: now,
        error: jobError('AI_JOB_CANCELLED', `Cancelled by ${principal.username}`),
      },
    );
    await this.em.refresh(job);
    if (changed === 0) throw new AppError('AI_JOB_FINISHED', { detail: { status: job.status } });
    this.control.abort(id);
    const view = jobView(job);
    this.notifier.notify(job.owner.id, { type: 'ai_job', event: 'status', job: view });
    return view;
  }

  /**
   * The inline `dataset`, or the text of `dataset_file_id` (copied into the job, so deleting the file later
   * changes nothing): the caller's own file, plain text (CSV sniffs as text/plain), UTF-8, within the input limit.
   */
  private async datasetOf(principal: Principal, request: SubmitJob): Promise<string | undefined> {
    if (request.dataset_file_id === undefined) return request.dataset;
    const invalid = (message: string) =>
      new AppError('VALIDATION_FAILED', { detail: [{ path: 'body.dataset_file_id', message }] });
    if (request.dataset !== undefined) throw invalid('Send either dataset or dataset_file_id, not both');
    if (!this.datasetFiles) throw invalid('Datasets from files are not available');
    const file = await this.datasetFiles.openOwn(principal, request.dataset_file_id);
    if (file.size > this.limits.maxInputBytes) {
      throw new AppError('AI_INPUT_TOO_LARGE', { detail: { bytes: file.size, max_bytes: this.limits.maxInputBytes } });
    }
    if (file.mime !== 'text/plain') throw invalid(`Must be a CSV (plain text) file; this one is ${file.mime}`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(await file.bytes());
    } catch {
      throw invalid('The file is not UTF-8 text');
    }
  }

  /** A job estimated to run past its model's time limit is refused now (422) rather than timed out later. */
  private async refuseWhatCannotFinish(modelId: string, spec: TaskDescriptor, job: unknown): Promise<void> {
    if (!spec.estimate) return;
    const estimate = spec.estimate(job);
    const timeoutMs = await this.registry.timeoutOf(this.em, modelId);
    if (estimate.ms <= timeoutMs) return;
    throw new AppError('AI_JOB_EXCEEDS_TIME_LIMIT', {
      message: `This job would run about ${Math.ceil(estimate.ms / 1000)} s, over the ${Math.round(timeoutMs / 1000)} s time limit of ${modelId}: ${estimate.advice}`,
      detail: { estimated_ms: Math.round(estimate.ms), timeout_ms: timeoutMs, ...estimate.basis },
    });
  }

  private async findVisible(principal: Principal, id: number): Promise<AiJob> {
    const job = await this.em.findOne(AiJob, { id });
    // Someone else's job is "not found", not "forbidden": ids must not reveal other users' work.
    if (!job || !canSee(principal, job.owner.id)) throw new AppError('AI_JOB_NOT_FOUND');
    return job;
  }
}

function canSee(principal: Principal, ownerId: number): boolean {
  return principal.role === 'admin' || principal.userId === ownerId;
}
