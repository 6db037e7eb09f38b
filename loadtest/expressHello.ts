/**
 * Baseline for bench:rest: a bare Express 5 app answering one small JSON document, nothing else; and at
 * `/page` whatever document the bench sent it (Plaza's first page of posts: what answering those bytes costs).
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});
let page: unknown = null;
process.on('message', (m: { page?: unknown }) => {
  if (m.page !== undefined) page = m.page;
});
app.get('/page', (_req, res) => {
  res.json(page);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: address && typeof address === 'object' ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
