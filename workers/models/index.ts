import { linearRegression } from './linearRegression.ts';
import { randomForest } from './randomForest.ts';
import { sentiment } from './sentiment.ts';
import { testMemoryHog, testSpin } from './testModels.ts';
import type { AiModel } from './types.ts';

export type { AiModel, AiTask, ModelTask } from './types.ts';

/** Every model Plaza can run. Test-only models are added only when asked for explicitly. */
export function modelCatalog(options: { testModels?: boolean } = {}): AiModel[] {
  const models = [linearRegression, randomForest, sentiment];
  return options.testModels ? [...models, testSpin, testMemoryHog] : models;
}
