import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { AiModelSetting } from '../../../entities/AiModelSetting.ts';
import type { AiTaskName } from '../../../entities/AiJob.ts';
import type { Actor, AuditLog } from '../admin/AuditLog.ts';
import type { ModelDescriptor } from './ports.ts';

export interface AiModelView {
  id: string;
  version: string;
  description: string;
  enabled: boolean;
  timeout_ms: number;
  tasks: { task: AiTaskName; description: string; needs_trained_model: boolean; input_schema: unknown }[];
}

/** The built-in models plus the admins' settings (enabled, timeout) stored in the database. */
export class AiModelRegistry {
  private readonly models: Map<string, ModelDescriptor>;

  constructor(
    private readonly em: EntityManager,
    models: ModelDescriptor[],
    private readonly audit: AuditLog,
  ) {
    this.models = new Map(models.map((m) => [m.id, m]));
  }

  descriptor(id: string): ModelDescriptor {
    const model = this.models.get(id);
    if (!model) throw new AppError('AI_MODEL_NOT_FOUND', { detail: { model: id, available: [...this.models.keys()] } });
    return model;
  }

  async list(): Promise<AiModelView[]> {
    const settings = await this.em.find(AiModelSetting, {});
    const byId = new Map(settings.map((s) => [s.model, s]));
    return [...this.models.values()].map((m) => this.view(m, byId.get(m.id)));
  }

  /** The model and task a new job asks for; refuses unknown, disabled or unsupported ones. */
  async resolve(id: string, task: AiTaskName) {
    const model = this.descriptor(id);
    const setting = await this.em.findOne(AiModelSetting, { model: id });
    if (setting && !setting.enabled) throw new AppError('AI_MODEL_DISABLED', { detail: { model: id } });
    const spec = model.tasks[task];
    if (!spec)
      throw new AppError('AI_TASK_UNSUPPORTED', { detail: { model: id, task, supported: Object.keys(model.tasks) } });
    return { model, spec };
  }

  async timeoutOf(em: EntityManager, id: string): Promise<number> {
    const setting = await em.findOne(AiModelSetting, { model: id });
    return setting?.timeoutMs ?? this.models.get(id)?.defaultTimeoutMs ?? 60_000;
  }

  /** Enables/disables a model or changes its timeout; recorded in the admin audit log. */
  async update(
    actor: Actor,
    id: string,
    changes: { enabled?: boolean; timeout_ms?: number | null },
  ): Promise<AiModelView> {
    const model = this.descriptor(id);
    const setting =
      (await this.em.findOne(AiModelSetting, { model: id })) ??
      this.em.create(AiModelSetting, { model: id, enabled: true, timeoutMs: null });
    if (changes.enabled !== undefined) setting.enabled = changes.enabled;
    if (changes.timeout_ms !== undefined) setting.timeoutMs = changes.timeout_ms;
    setting.updatedBy = actor.id;
    this.audit.record(this.em, actor, {
      action: 'ai_model.update',
      targetType: 'ai_model',
      targetId: id,
      detail: { ...changes },
    });
    await this.em.flush();
    return this.view(model, setting);
  }

  private view(model: ModelDescriptor, setting?: AiModelSetting): AiModelView {
    return {
      id: model.id,
      version: model.version,
      description: model.description,
      enabled: setting?.enabled ?? true,
      timeout_ms: setting?.timeoutMs ?? model.defaultTimeoutMs,
      tasks: Object.entries(model.tasks).map(([task, spec]) => ({
        task: task as AiTaskName,
        description: spec.description,
        needs_trained_model: spec.needsTrainedModel === true,
        input_schema: z.toJSONSchema(spec.schema, { io: 'input', unrepresentable: 'any' }),
      })),
    };
  }
}
