import MLR from 'ml-regression-multivariate-linear';
import { z } from 'zod';
import { CsvText, PredictRows, readTable, rowsToMatrix } from './csv.ts';
import { ModelInputError, task, type AiModel } from './types.ts';

const MAX_ROWS = 200_000;

interface LinearState {
  features: string[];
  target: string;
  model: ReturnType<MLR['toJSON']>;
}

/** Ordinary least squares on numeric CSV columns (ml-regression-multivariate-linear). */
export const linearRegression: AiModel = {
  id: 'linear-regression',
  version: '1.0.0',
  description:
    'Multivariate linear regression (least squares). Train on CSV with a header and numeric columns; predict with the stored model.',
  defaultTimeoutMs: 60_000,
  tasks: {
    train: task({
      description:
        'Fit the target column on the other (or the chosen) numeric columns. Result: coefficients, intercept, R², RMSE, rows.',
      schema: z.object({
        dataset: CsvText,
        params: z.object({
          target: z.string().min(1).meta({ description: 'Name of the column to predict' }),
          features: z
            .array(z.string().min(1))
            .min(1)
            .max(200)
            .optional()
            .meta({ description: 'Feature columns (default: all but the target)' }),
        }),
      }),
      run({ dataset, params }, ctx) {
        const table = readTable(dataset, {
          target: params.target,
          features: params.features,
          maxRows: MAX_ROWS,
          minRows: 2,
        });
        ctx.progress(30);
        if (table.rows <= table.features.length) {
          throw new ModelInputError(
            `${table.rows} rows cannot determine ${table.features.length + 1} parameters: add rows`,
          );
        }
        const y = table.y as number[];
        const mlr = new MLR(
          table.x,
          y.map((v) => [v]),
          { intercept: true, statistics: false },
        );
        ctx.progress(70);
        const predicted = mlr.predict(table.x).map((row) => row[0]);
        const fit = fitStatistics(y, predicted);
        const weights = mlr.weights.map((w) => w[0]);
        const coefficients = Object.fromEntries(table.features.map((name, i) => [name, weights[i]]));
        const summary = {
          target: table.target,
          features: table.features,
          coefficients,
          intercept: weights[table.features.length],
          r2: fit.r2,
          rmse: fit.rmse,
          rows: table.rows,
        };
        const state: LinearState = { features: table.features, target: table.target, model: mlr.toJSON() };
        return { result: summary, trained: { state, summary } };
      },
    }),
    predict: task({
      description: 'Predict the target for rows with a model trained by this model (trained_model_id).',
      needsTrainedModel: true,
      schema: z.object({ input: z.object({ rows: PredictRows }) }),
      run({ input }, ctx) {
        const state = ctx.trained as LinearState;
        const mlr = MLR.load(state.model);
        const predictions = mlr.predict(rowsToMatrix(input.rows, state.features)).map((row) => row[0]);
        return { result: { target: state.target, features: state.features, predictions } };
      },
    }),
  },
};

export function fitStatistics(actual: number[], predicted: number[]): { r2: number; rmse: number } {
  const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
  let ssRes = 0;
  let ssTot = 0;
  actual.forEach((value, i) => {
    ssRes += (value - predicted[i]) ** 2;
    ssTot += (value - mean) ** 2;
  });
  return { r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot, rmse: Math.sqrt(ssRes / actual.length) };
}
