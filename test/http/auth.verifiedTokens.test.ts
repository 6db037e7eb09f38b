import crypto from 'node:crypto';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError } from '../helpers/http.ts';
import { eventually } from '../helpers/eventually.ts';

/** A checked token is remembered (its signature is not checked again), but never past its expiry. */
describe('access tokens remembered once verified', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('when a token that was accepted expires, then the next request with it is refused (11002)', async function () {
    this.timeout(15_000);
    const user = await server.http.signUp('shortlived');
    const token = server.services.tokens.issueAccessToken(
      { id: user.id, username: 'shortlived', role: 'user', tokenVersion: 0 },
      crypto.randomUUID(),
      2,
    );
    expect((await server.http.get('/users/me', token)).status).to.equal(200);
    expect((await server.http.get('/users/me', token)).status).to.equal(200);
    const refused = await eventually(
      async () => {
        const res = await server.http.get('/users/me', token);
        return res.status === 401 ? res : undefined;
      },
      'the expired token to be refused',
      6000,
      100,
    );
    expectError(refused, 401, 11002);
  });
});
