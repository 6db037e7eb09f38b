import { defineEntity, p } from '@mikro-orm/core';

/** An admin's override for a built-in model: disabled, or a different timeout. No row: the defaults. */
const AiModelSettingSchema = defineEntity({
  name: 'AiModelSetting',
  tableName: 'ai_model_settings',
  properties: {
    model: p.string().length(64).primary(),
    enabled: p.boolean().default(true),
    timeoutMs: p.integer().nullable(),
    updatedBy: p.integer().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class AiModelSetting extends AiModelSettingSchema.class {}
AiModelSettingSchema.setClass(AiModelSetting);
