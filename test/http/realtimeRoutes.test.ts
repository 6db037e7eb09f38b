import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError } from '../helpers/http.ts';

describe('realtime REST routes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('when the API description is fetched, then every realtime route is documented', async () => {
    const res = await server.http.get('/openapi.json');
    expect(res.status).to.equal(200);
    for (const path of [
      '/chat/groups',
      '/chat/groups/{id}/messages',
      '/chat/dms',
      '/chat/dms/{id}/messages',
      '/users/{id}/follow',
      '/users/me/following',
      '/users/me/followers',
      '/users/me/friends/online',
      '/users/{id}/block',
      '/support/messages',
      '/admin/realtime/clients',
      '/admin/realtime/groups',
      '/admin/realtime/groups/{id}',
      '/admin/realtime/users/{id}/send',
      '/admin/realtime/groups/{id}/broadcast',
      '/chat/groups/discover',
      '/chat/groups/{id}/members/{userId}',
      '/chat/groups/{id}/owner',
      '/notifications',
      '/notifications/read',
    ]) {
      expect(res.body.paths, path).to.have.property(path);
    }
  });

  it('when groups, follows and DMs are used over REST, then errors carry the realtime codes', async () => {
    const [ivy, jay] = [await server.http.signUp('ivy'), await server.http.signUp('jay')];
    expectError(await server.http.get('/chat/groups/999/messages', ivy.access_token), 404, 30001);
    const group = await server.http.post('/chat/groups', { name: 'g' }, ivy.access_token);
    expectError(await server.http.get(`/chat/groups/${group.body.id}/messages`, jay.access_token), 403, 30002);
    expectError(await server.http.post(`/chat/groups/${group.body.id}/join`, undefined, ivy.access_token), 409, 30003);
    expectError(await server.http.post(`/users/${ivy.id}/follow`, undefined, ivy.access_token), 409, 30007);
    expectError(await server.http.delete(`/users/${jay.id}/follow`, ivy.access_token), 404, 30015);
    expectError(await server.http.delete(`/users/${jay.id}/block`, ivy.access_token), 404, 30016);
    expect((await server.http.post(`/users/${jay.id}/follow`, undefined, ivy.access_token)).status).to.equal(204);
    expect(
      (await server.http.post(`/users/${jay.id}/follow`, undefined, ivy.access_token)).status,
      'idempotent',
    ).to.equal(204);
    expect(
      (await server.http.get('/users/me/following', ivy.access_token)).body.items.map((u: any) => u.user_id),
    ).to.deep.equal([jay.id]);
    await server.http.post(`/chat/dms/${jay.id}`, { text: 'one' }, ivy.access_token);
    await server.http.post(`/chat/dms/${jay.id}`, { text: 'two' }, ivy.access_token);
    const page = await server.http.get(`/chat/dms/${ivy.id}/messages?limit=1`, jay.access_token);
    expect(page.body.items.map((m: any) => m.text)).to.deep.equal(['two']);
    const older = await server.http.get(
      `/chat/dms/${ivy.id}/messages?limit=1&cursor=${page.body.next_cursor}`,
      jay.access_token,
    );
    expect(older.body.items.map((m: any) => m.text)).to.deep.equal(['one']);
    expect((await server.http.post(`/chat/dms/${ivy.id}/read`, undefined, jay.access_token)).body).to.deep.equal({
      marked: 2,
    });
    expect((await server.http.get('/chat/dms', jay.access_token)).body.items[0]).to.include({
      user_id: ivy.id,
      unread: 0,
    });
    expectError(await server.http.post('/chat/groups', { name: '' }, ivy.access_token), 422, 10001);
  });
});
