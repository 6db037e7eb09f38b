import { expect } from 'chai';
import runAiTask from '../../workers/aiWorker.ts';
import { modelCatalog } from '../../workers/models/index.ts';
import { SEED_COEFFICIENTS, seedCsv } from '../helpers/ai.ts';

const refusal = (out: Awaited<ReturnType<typeof runAiTask>>) => (out.ok ? 'succeeded' : out.error.message);

/** The worker entry is a pure function of its task: these run it on the test thread, without a pool. */
describe('AI models (worker functions)', () => {
  const train = (dataset: string, params: Record<string, unknown>) =>
    runAiTask({ model: 'linear-regression', task: 'train', input: null, params, dataset });

  it('when the catalogue is built for production, then it holds no test-only model', () => {
    expect(modelCatalog().map((m) => m.id)).to.deep.equal(['linear-regression', 'random-forest', 'sentiment']);
    expect(
      modelCatalog({ testModels: true })
        .filter((m) => m.testOnly)
        .map((m) => m.id),
    ).to.deep.equal(['test-spin', 'test-memory-hog']);
  });

  it('when a test-only model is asked for without the test flag, then the worker refuses it', async () => {
    const out = await runAiTask({ model: 'test-memory-hog', task: 'score', input: {}, params: {} });
    expect(out).to.deep.equal({ ok: false, error: { message: 'Model "test-memory-hog" has no task "score"' } });
  });

  it('when features are chosen, then only those columns are fitted', async () => {
    const out = await train(seedCsv(500, 0.01), { target: 'y', features: ['x5', 'x3'] });
    if (!out.ok) throw new Error(out.error.message);
    const result = out.result as { features: string[]; coefficients: Record<string, number> };
    expect(result.features).to.deep.equal(['x5', 'x3']);
    expect(result.coefficients.x5).to.be.closeTo(SEED_COEFFICIENTS[5], 0.5);
  });

  it('when the header repeats a name, or too few rows are given for the features, then the message says so', async () => {
    expect(await train('a,a,y\n1,2,3\n4,5,6', { target: 'y' })).to.deep.include({
      ok: false,
      error: { message: 'The header row has duplicate column names', detail: undefined },
    });
    expect(refusal(await train('a,b,y\n1,2,3\n4,5,6', { target: 'y' }))).to.equal(
      '2 rows cannot determine 3 parameters: add rows',
    );
  });

  it('when the params miss the target, then the worker reports which field is wrong', async () => {
    const out = await train('a,y\n1,2\n2,4', {});
    expect(out.ok).to.equal(false);
    if (!out.ok)
      expect(out.error.detail).to.deep.equal([
        { path: 'params.target', message: 'Invalid input: expected string, received undefined' },
      ]);
  });

  it('when predict rows have the wrong width or miss a feature, then each is named', async () => {
    const trained = await train('a,b,y\n1,2,5\n2,1,4\n3,3,9\n0,1,2', { target: 'y' });
    if (!trained.ok) throw new Error(trained.error.message);
    const predict = (rows: unknown[]) =>
      runAiTask({
        model: 'linear-regression',
        task: 'predict',
        input: { rows },
        params: {},
        trained: trained.trained!.state,
      });
    expect(refusal(await predict([[1, 2, 3]]))).to.equal('Row 0: expected 2 values (a, b), got 3');
    expect(refusal(await predict([{ a: 1 }]))).to.equal('Row 0: missing feature "b"');
  });
});
