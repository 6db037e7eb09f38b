import { z } from 'zod';
import { task, type AiModel } from './types.ts';

type Nlp = { readDoc(text: string): { out(what: unknown): unknown }; its: { sentiment: unknown } };
let nlp: Nlp | undefined;

/** The English model is ~1 MB: load it once per worker thread, on first use. */
async function loadNlp(): Promise<Nlp> {
  if (!nlp) {
    const [{ default: winkNLP }, { default: model }] = await Promise.all([
      import('wink-nlp'),
      import('wink-eng-lite-web-model'),
    ]);
    nlp = winkNLP(model);
  }
  return nlp;
}

const NEUTRAL_BAND = 0.05;

/** Offline English sentiment with wink-nlp and its packaged model; scores in [-1, 1]. */
export const sentiment: AiModel = {
  id: 'sentiment',
  version: '1.0.0',
  description:
    'Offline English sentiment (wink-nlp + wink-eng-lite-web-model). Scores each text in [-1, 1] and labels it positive, negative or neutral.',
  defaultTimeoutMs: 30_000,
  tasks: {
    score: task({
      description: 'Score up to 1000 texts (e.g. chat messages).',
      schema: z.object({ input: z.object({ texts: z.array(z.string().max(10_000)).min(1).max(1000) }) }),
      async run({ input }, ctx) {
        const engine = await loadNlp();
        const results = input.texts.map((text, i) => {
          const score = Number(engine.readDoc(text).out(engine.its.sentiment));
          if (i % 50 === 49) ctx.progress(Math.floor(((i + 1) / input.texts.length) * 100));
          return { score, label: score > NEUTRAL_BAND ? 'positive' : score < -NEUTRAL_BAND ? 'negative' : 'neutral' };
        });
        const mean = results.reduce((sum, r) => sum + r.score, 0) / results.length;
        return { result: { results, mean } };
      },
    }),
  },
};
