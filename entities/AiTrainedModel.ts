import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';

/** The state a `train` job produced, kept so later `predict` jobs can use it. */
const AiTrainedModelSchema = defineEntity({
  name: 'AiTrainedModel',
  tableName: 'ai_trained_models',
  properties: {
    id: p.integer().primary().autoincrement(),
    owner: () => p.manyToOne(User).deleteRule('cascade').index(),
    model: p.string().length(64),
    modelVersion: p.string().length(32),
    sourceJobId: p.integer(),
    /** The model's own serialised form (e.g. ml-regression's toJSON()), opaque outside its worker. */
    state: p.json<unknown>().lazy(),
    summary: p.json<unknown>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class AiTrainedModel extends AiTrainedModelSchema.class {}
AiTrainedModelSchema.setClass(AiTrainedModel);
