import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { AiJob, type AiJobError, type AiJobStatus } from '../../../entities/AiJob.ts';
import { AiTrainedModel } from '../../../entities/AiTrainedModel.ts';
import type { AiModelRegistry } from './AiModelRegistry.ts';
import { jobError } from './jobErrors.ts';
import { jobView } from './jobViews.ts';
import type { JobControl, JobNotifier, JobRunner, RunnerOutcome } from './ports.ts';

export interface DispatcherOptions {
  /** Identifies this process's claims on jobs. */
  runnerId: string;
  pollMs: number;
  heartbeatMs: number;
  maxAttempts: number;
  workerMemoryMb: number;
  /**
   * The database belongs to this process alone (PGlite): every `running` row found at start was
   * left by a previous run. With a shared PostgreSQL only rows whose heartbeat went stale are.
   */
  exclusiveDatabase: boolean;
}

/** Abort reasons the dispatcher gives, told apart by name when the pool rejects. */
class JobAbort extends Error {
  constructor(override readonly name: 'Cancelled' | 'Shutdown') {
    super(name);
  }
}

interface ActiveJob {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Feeds the job queue (table ai_jobs) to the runner, never more than it can run, so a flood of
 * submissions waits in the database. Claims rows with a conditional update (safe with several
 * processes), keeps a heartbeat on running rows, recovers rows whose runner died, and on shutdown
 * stops its workers and puts their jobs back in the queue.
 */
export class AiDispatcher implements JobControl {
  private readonly active = new Map<number, ActiveJob>();
  private claiming = 0;
  private pumping = false;
  private pumpAgain = false;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly lease: number;

  constructor(
    private readonly rootEm: EntityManager,
    private readonly runner: JobRunner,
    private readonly registry: AiModelRegistry,
    private readonly notifier: JobNotifier,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.lease = options.heartbeatMs * 3;
  }

  async start(): Promise<void> {
    await this.recover(this.options.exclusiveDatabase ? 'all' : 'stale');
    this.timers.push(setInterval(() => this.kick(), this.options.pollMs).unref());
    this.timers.push(
      setInterval(
        () => void this.heartbeat().catch((err) => this.logger.warn({ err }, 'AI heartbeat failed')),
        this.options.heartbeatMs,
      ).unref(),
    );
    this.kick();
  }

  kick(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pump()
      .catch((err) => this.logger.error({ err }, 'AI dispatch failed'))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.kick();
        }
      });
  }

  abort(jobId: number): void {
    this.active.get(jobId)?.controller.abort(new JobAbort('Cancelled'));
  }

  /** Stops dispatching, stops running workers, re-queues their jobs, closes the pool. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    while (this.pumping || this.claiming > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const job of this.active.values()) job.controller.abort(new JobAbort('Shutdown'));
    await Promise.allSettled([...this.active.values()].map((job) => job.done));
    await this.runner.close();
  }

  private async pump(): Promise<void> {
    while (!this.stopping && this.active.size < this.runner.capacity) {
      this.claiming++;
      let job: AiJob | null;
      try {
        job = await this.claimNext();
      } finally {
        this.claiming--;
      }
      if (!job) return;
      const controller = new AbortController();
      const entry: ActiveJob = { controller, done: Promise.resolve() };
      this.active.set(job.id, entry);
      entry.done = this.execute(job, controller).finally(() => {
        this.active.delete(job.id);
        this.kick();
      });
    }
  }

  /**
   * Takes the next queued job, fairly across users: round-robin by user (whoever had a job started
   * least recently, or never, goes first), oldest first within a user, so one user's burst cannot hold
   * the workers while others wait. The order lives in the table (started_at), so it holds across
   * restarts and processes; a conditional update makes the claim exclusive.
   */
  private async claimNext(): Promise<AiJob | null> {
    const em = this.rootEm.fork();
    for (let attempt = 0; attempt < 10; attempt++) {
      const [next] = await em.execute<{ id: number; attempts: number }[]>(
        `select q.id, q.attempts from ai_jobs q
         left join lateral (select max(s.started_at) as last_start from ai_jobs s where s.owner_id = q.owner_id) l on true
         where q.status = 'queued'
         order by l.last_start asc nulls first, q.id asc
         limit 1`,
      );
      if (!next) return null;
      const now = new Date();
      const claimed = await em.nativeUpdate(
        AiJob,
        { id: next.id, status: 'queued', attempts: next.attempts },
        {
          status: 'running',
          runnerId: this.options.runnerId,
          heartbeatAt: now,
          startedAt: now,
          updatedAt: now,
          attempts: next.attempts + 1,
          progress: 0,
        },
      );
      if (claimed === 1) {
        const fresh = this.rootEm.fork();
        return fresh.findOneOrFail(AiJob, { id: next.id }, { populate: ['dataset'] });
      }
    }
    return null;
  }

  private async execute(job: AiJob, controller: AbortController): Promise<void> {
    const em = this.rootEm.fork();
    const log = this.logger.child({ job_id: job.id, model: job.model, task: job.task, user_id: job.owner.id });
    try {
      this.notify(job);
      const timeoutMs = await this.registry.timeoutOf(em, job.model);
      const trained = job.trainedModelId
        ? (await em.findOne(AiTrainedModel, { id: job.trainedModelId }, { populate: ['state'] }))?.state
        : undefined;
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]);
      const progress = this.progressReporter(job);
      let outcome: RunnerOutcome;
      try {
        outcome = await this.runner.run(
          { model: job.model, task: job.task, input: job.input, params: job.params, dataset: job.dataset, trained },
          { signal, onProgress: (percent) => progress.report(percent) },
        );
      } catch (err) {
        progress.close();
        await this.settleFailure(em, job, err, timeoutMs, log);
        return;
      }
      progress.close();
      if (!outcome.ok) {
        await this.finish(em, job, 'failed', {
          error: jobError('AI_INVALID_INPUT', outcome.error.message, outcome.error.detail),
        });
        return;
      }
      let result = outcome.result;
      let trainedId: number | undefined;
      if (outcome.trained) {
        const stored = em.create(AiTrainedModel, {
          owner: job.owner.id,
          model: job.model,
          modelVersion: job.modelVersion,
          sourceJobId: job.id,
          state: outcome.trained.state,
          summary: outcome.trained.summary,
        });
        await em.flush();
        trainedId = stored.id;
        result = { ...(result as object), trained_model_id: stored.id };
      }
      const finished = await this.finish(em, job, 'succeeded', { result, progress: 100 });
      if (!finished && trainedId) await em.nativeDelete(AiTrainedModel, { id: trainedId });
    } catch (err) {
      log.error({ err }, 'AI job bookkeeping failed');
    }
  }

  private async settleFailure(
    em: EntityManager,
    job: AiJob,
    err: unknown,
    timeoutMs: number,
    log: Logger,
  ): Promise<void> {
    const cause = (err as { cause?: { name?: string } } | null)?.cause;
    if ((err as Error)?.name === 'AbortError') {
      if (cause?.name === 'TimeoutError') {
        await this.finish(em, job, 'timed_out', {
          error: jobError('AI_JOB_TIMED_OUT', `The job exceeded its time limit of ${timeoutMs} ms and was stopped`, {
            timeout_ms: timeoutMs,
          }),
        });
      } else if (cause?.name === 'Shutdown') {
        await this.requeue(em, job.id, 'server shutting down');
      }
      // Cancelled: the row was marked by whoever cancelled it; the worker is gone, nothing to record.
      return;
    }
    if ((err as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      log.warn('AI job exceeded the worker memory limit');
      await this.finish(em, job, 'failed', {
        error: jobError(
          'AI_JOB_OUT_OF_MEMORY',
          `The job exceeded the worker memory limit of ${this.options.workerMemoryMb} MB and was stopped`,
          { limit_mb: this.options.workerMemoryMb },
        ),
      });
      return;
    }
    log.error({ err }, 'AI worker crashed');
    await this.finish(em, job, 'failed', { error: jobError('AI_JOB_CRASHED') });
  }

  /** Records the end of a job this process ran, unless someone cancelled it meanwhile. */
  private async finish(
    em: EntityManager,
    job: AiJob,
    status: AiJobStatus,
    fields: { result?: unknown; error?: AiJobError; progress?: number },
  ): Promise<boolean> {
    const now = new Date();
    const changed = await em.nativeUpdate(
      AiJob,
      { id: job.id, status: 'running', runnerId: this.options.runnerId },
      {
        status,
        finishedAt: now,
        updatedAt: now,
        result: fields.result ?? null,
        error: fields.error ?? null,
        ...(fields.progress === undefined ? {} : { progress: fields.progress }),
      },
    );
    if (changed === 1) this.notify(await em.fork().findOneOrFail(AiJob, { id: job.id }));
    return changed === 1;
  }

  private async requeue(em: EntityManager, jobId: number, why: string): Promise<void> {
    // A clean shutdown does not count as an attempt.
    const job = await em.findOne(AiJob, { id: jobId, status: 'running', runnerId: this.options.runnerId });
    if (!job) return;
    Object.assign(job, {
      status: 'queued',
      runnerId: null,
      heartbeatAt: null,
      startedAt: null,
      progress: 0,
      attempts: Math.max(0, job.attempts - 1),
    });
    await em.flush();
    this.logger.info({ job_id: jobId, why }, 'AI job re-queued');
    this.notify(job);
  }

  /** Throttles progress: the database and the user hear at most ~2 updates a second per job. */
  private progressReporter(job: AiJob): { report(percent: number): void; close(): void } {
    let lastWrite = 0;
    let closed = false;
    // Progress travels on its own port: once the outcome is in, a straggler must not follow the final status.
    const close = () => void (closed = true);
    const report = (percent: number) => {
      if (closed || percent >= 100) return;
      this.notifier.notify(job.owner.id, {
        type: 'ai_job',
        event: 'progress',
        job: { id: job.id, model: job.model, task: job.task, status: 'running', progress: percent },
      });
      const now = Date.now();
      if (now - lastWrite < 500) return;
      lastWrite = now;
      void this.rootEm
        .fork()
        .nativeUpdate(AiJob, { id: job.id, status: 'running', runnerId: this.options.runnerId }, { progress: percent })
        .catch((err) => this.logger.warn({ err, job_id: job.id }, 'AI progress write failed'));
    };
    return { report, close };
  }

  /** Keeps our running rows alive, stops jobs cancelled elsewhere, recovers rows of runners that died. */
  private async heartbeat(): Promise<void> {
    const em = this.rootEm.fork();
    const ids = [...this.active.keys()];
    if (ids.length > 0) {
      await em.nativeUpdate(
        AiJob,
        { id: { $in: ids }, status: 'running', runnerId: this.options.runnerId },
        { heartbeatAt: new Date() },
      );
      const rows = await em.find(AiJob, { id: { $in: ids } }, { fields: ['id', 'status', 'runnerId'] });
      for (const row of rows) {
        if (row.status !== 'running' || row.runnerId !== this.options.runnerId) this.abort(row.id);
      }
    }
    await this.recover('stale');
  }

  /** Running rows nobody is working on go back to the queue, or fail once they used their attempts. */
  private async recover(which: 'all' | 'stale'): Promise<void> {
    const em = this.rootEm.fork();
    const where: Record<string, unknown> = { status: 'running' };
    if (which === 'stale')
      where.$or = [{ heartbeatAt: null }, { heartbeatAt: { $lt: new Date(Date.now() - this.lease) } }];
    const orphans = await em.find(AiJob, where);
    for (const job of orphans) {
      if (this.active.has(job.id)) continue;
      const exhausted = job.attempts >= this.options.maxAttempts;
      const now = new Date();
      const changed = await em.nativeUpdate(
        AiJob,
        { id: job.id, status: 'running', runnerId: job.runnerId, heartbeatAt: job.heartbeatAt },
        exhausted
          ? {
              status: 'failed',
              finishedAt: now,
              updatedAt: now,
              error: jobError(
                'AI_JOB_INTERRUPTED',
                `The server stopped while this job ran, ${job.attempts} time(s); it was not retried again`,
                { attempts: job.attempts },
              ),
            }
          : { status: 'queued', runnerId: null, heartbeatAt: null, startedAt: null, progress: 0, updatedAt: now },
      );
      if (changed === 1) {
        this.logger.warn(
          { job_id: job.id, attempts: job.attempts, requeued: !exhausted },
          'recovered an AI job left running by a stopped server',
        );
        this.notify(await em.fork().findOneOrFail(AiJob, { id: job.id }));
      }
    }
  }

  private notify(job: AiJob): void {
    try {
      this.notifier.notify(job.owner.id, { type: 'ai_job', event: 'status', job: jobView(job) });
    } catch (err) {
      this.logger.warn({ err, job_id: job.id }, 'AI job notification failed');
    }
  }
}
