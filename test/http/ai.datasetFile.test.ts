import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { SEED_COEFFICIENTS, seedCsv, submitJob, waitForJob } from '../helpers/ai.ts';
import { form, PNG_1X1, upload } from '../helpers/boards.ts';

describe('AI jobs with a dataset from an uploaded file', function () {
  this.timeout(60_000);
  let server: TestServer;
  let alice: Session;
  let bob: Session;

  const uploadCsv = async (who: Session, csv: string | Buffer, name = 'data.csv') => {
    const res = await upload(
      server,
      '/files',
      form('file', [{ name, bytes: csv, type: 'text/csv' }]),
      who.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: number; mime: string };
  };
  const train = (who: Session, body: Record<string, unknown>) =>
    server.http.post(
      '/ai/jobs',
      { model: 'linear-regression', task: 'train', params: { target: 'y' }, ...body },
      who.access_token,
    );

  before(async () => {
    server = await startTestServer({ AI_POOL_SIZE: '1', AI_MAX_INPUT_BYTES: '200000', UPLOAD_MAX_BYTES: '1000000' });
    alice = await server.http.signUp('alice');
    bob = await server.http.signUp('bob');
  });
  after(() => server?.close());

  it('when a job names my uploaded CSV as dataset_file_id, then it trains on it like an inline dataset', async () => {
    const file = await uploadCsv(alice, seedCsv(500));
    expect(file.mime).to.equal('text/plain');
    const job = await submitJob(server.http, alice.access_token, {
      model: 'linear-regression',
      task: 'train',
      dataset_file_id: file.id,
      params: { target: 'y' },
    });
    const done = await waitForJob(server.http, alice.access_token, job.id);
    expect(done.status, JSON.stringify(done.error)).to.equal('succeeded');
    expect(done.result.rows).to.equal(500);
    SEED_COEFFICIENTS.forEach((expected, i) => expect(done.result.coefficients[`x${i}`]).to.be.closeTo(expected, 0.02));
  });

  it('when the job was queued and the file is deleted afterwards, then the job keeps its copy of the data', async () => {
    const file = await uploadCsv(alice, seedCsv(100, 0.1, 7));
    const job = await submitJob(server.http, alice.access_token, {
      model: 'linear-regression',
      task: 'train',
      dataset_file_id: file.id,
      params: { target: 'y' },
    });
    expect((await server.http.delete(`/files/${file.id}`, alice.access_token)).status).to.equal(204);
    const done = await waitForJob(server.http, alice.access_token, job.id);
    expect(done.status, JSON.stringify(done.error)).to.equal('succeeded');
  });

  it("when the file is someone else's or does not exist, then 404 file-not-found and no job", async () => {
    const file = await uploadCsv(alice, seedCsv(50));
    expectError(await train(bob, { dataset_file_id: file.id }), 404, 42001);
    expectError(await train(bob, { dataset_file_id: 999999 }), 404, 42001);
    expect((await server.http.get('/ai/jobs', bob.access_token)).body.items).to.deep.equal([]);
  });

  it('when the file is not CSV text, too large, or sent with an inline dataset too, then a clear 4xx', async () => {
    const png = await upload(server, '/files', form('file', [{ name: 'x.png', bytes: PNG_1X1 }]), alice.access_token);
    const notText = await train(alice, { dataset_file_id: png.body.id });
    expectError(notText, 422, 10001);
    expect(notText.body.error.detail[0].path).to.equal('body.dataset_file_id');
    const big = await uploadCsv(alice, seedCsv(4000), 'big.csv');
    expectError(await train(alice, { dataset_file_id: big.id }), 413, 60006);
    const small = await uploadCsv(alice, 'x,y\n1,2\n2,4\n');
    expectError(await train(alice, { dataset_file_id: small.id, dataset: 'x,y\n1,2\n' }), 422, 10001);
  });
});
