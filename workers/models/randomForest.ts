import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { z } from 'zod';
import { CsvText, csvShape, PredictRows, readTable, rowsToMatrix } from './csv.ts';
import { fitStatistics } from './linearRegression.ts';
import { task, type AiModel } from './types.ts';

/** Hard caps on each dimension; within them, the time estimate below decides what fits the time limit. */
export const RANDOM_FOREST_LIMITS = { maxRows: 5_000, maxDepth: 12, maxTrees: 100, maxFeatures: 50 } as const;

/**
 * Training time per row² × feature × tree of a full-depth tree, in ms: ml-cart tries every value of
 * every feature as a threshold and splits all rows for each, so a tree costs ~rows² × features.
 * The fastest figures measured with `npm run bench:forest` (docs/ai.md): the estimate is a lower
 * bound, so only jobs that cannot finish even on a quiet machine are refused; a busy machine may
 * still time out a job estimated within the limit.
 */
export const FOREST_MS_PER_UNIT = { regression: 3e-5, classification: 4e-5 } as const;

interface ForestState {
  mode: 'regression' | 'classification';
  features: string[];
  target: string;
  classes?: string[];
  model: unknown;
}

/** Random forests for regression or classification (ml-random-forest), bounded in rows, depth and trees. */
export const randomForest: AiModel = {
  id: 'random-forest',
  version: '1.0.0',
  description: `Random forest regression or classification on CSV. Bounded: at most ${RANDOM_FOREST_LIMITS.maxRows} rows, depth ${RANDOM_FOREST_LIMITS.maxDepth}, ${RANDOM_FOREST_LIMITS.maxTrees} trees, and a job estimated to outrun the time limit (time grows with rows² × features × trees) is refused at submission.`,
  defaultTimeoutMs: 120_000,
  tasks: {
    train: task({
      description:
        'Train a forest on numeric feature columns; the target is a number (regression) or a label (classification).',
      schema: z.object({
        dataset: CsvText.refine((csv) => csvShape(csv).rows <= RANDOM_FOREST_LIMITS.maxRows, {
          error: (issue) =>
            `The dataset has ${csvShape(issue.input as string).rows} rows; this model accepts at most ${RANDOM_FOREST_LIMITS.maxRows}`,
        }),
        params: z.object({
          target: z.string().min(1),
          features: z.array(z.string().min(1)).min(1).max(RANDOM_FOREST_LIMITS.maxFeatures).optional(),
          mode: z.enum(['regression', 'classification']).default('regression'),
          n_estimators: z
            .number()
            .int()
            .min(1)
            .max(RANDOM_FOREST_LIMITS.maxTrees, `n_estimators is capped at ${RANDOM_FOREST_LIMITS.maxTrees}`)
            .default(20),
          max_depth: z
            .number()
            .int()
            .min(1)
            .max(
              RANDOM_FOREST_LIMITS.maxDepth,
              `max_depth is capped at ${RANDOM_FOREST_LIMITS.maxDepth}: deeper forests are refused, not run for an hour`,
            )
            .default(8),
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1)
            .default(42),
        }),
      }),
      estimate({ dataset, params }) {
        const { rows, columns } = csvShape(dataset);
        const features = params.features?.length ?? Math.max(1, columns - 1);
        // The root level costs rows² × features; each level below costs half the one above (2 - 2^(1-depth) roots in all).
        const depthShare = (2 - 2 ** (1 - params.max_depth)) / 2;
        const ms = FOREST_MS_PER_UNIT[params.mode] * rows * rows * features * params.n_estimators * depthShare;
        return {
          ms,
          basis: { rows, features, n_estimators: params.n_estimators, max_depth: params.max_depth, mode: params.mode },
          advice: 'train on fewer rows, features or trees (n_estimators), or ask an admin for a longer time limit',
        };
      },
      run({ dataset, params }, ctx) {
        const classification = params.mode === 'classification';
        const table = readTable(dataset, {
          target: params.target,
          features: params.features,
          maxRows: RANDOM_FOREST_LIMITS.maxRows,
          labelTarget: classification,
        });
        ctx.progress(20);
        const options = {
          nEstimators: params.n_estimators,
          seed: params.seed,
          maxFeatures: 1.0,
          replacement: true,
          useSampleBagging: true,
          noOOB: true,
          treeOptions: { maxDepth: params.max_depth },
        };
        let summary: Record<string, unknown>;
        let state: ForestState;
        if (classification) {
          const labels = table.y as string[];
          const classes = [...new Set(labels)].sort();
          const y = labels.map((label) => classes.indexOf(label));
          const forest = new RandomForestClassifier(options);
          forest.train(table.x, y);
          ctx.progress(85);
          const predicted = forest.predict(table.x);
          const accuracy = predicted.filter((p, i) => p === y[i]).length / y.length;
          summary = {
            mode: params.mode,
            target: table.target,
            features: table.features,
            classes,
            train_accuracy: accuracy,
            rows: table.rows,
            n_estimators: params.n_estimators,
            max_depth: params.max_depth,
          };
          state = {
            mode: 'classification',
            features: table.features,
            target: table.target,
            classes,
            model: forest.toJSON(),
          };
        } else {
          const y = table.y as number[];
          const forest = new RandomForestRegression(options);
          forest.train(table.x, y);
          ctx.progress(85);
          const fit = fitStatistics(y, forest.predict(table.x));
          summary = {
            mode: params.mode,
            target: table.target,
            features: table.features,
            train_r2: fit.r2,
            train_rmse: fit.rmse,
            rows: table.rows,
            n_estimators: params.n_estimators,
            max_depth: params.max_depth,
          };
          state = { mode: 'regression', features: table.features, target: table.target, model: forest.toJSON() };
        }
        return { result: summary, trained: { state, summary } };
      },
    }),
    predict: task({
      description:
        'Predict with a forest trained by this model (trained_model_id): numbers, or labels for classification.',
      needsTrainedModel: true,
      schema: z.object({ input: z.object({ rows: PredictRows.max(RANDOM_FOREST_LIMITS.maxRows) }) }),
      run({ input }, ctx) {
        const state = ctx.trained as ForestState;
        const x = rowsToMatrix(input.rows, state.features);
        if (state.mode === 'classification') {
          const forest = RandomForestClassifier.load(state.model as never);
          return { result: { target: state.target, predictions: forest.predict(x).map((i) => state.classes![i]) } };
        }
        const forest = RandomForestRegression.load(state.model as never);
        return { result: { target: state.target, predictions: forest.predict(x) } };
      },
    }),
  },
};
