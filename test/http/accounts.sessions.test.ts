import { expect } from 'chai';
import { Client, type Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { leaveQuietly } from '../helpers/realtime.ts';

interface DeviceView {
  id: string;
  current: boolean;
  address: string;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
}

describe('accounts: my devices (sessions)', function () {
  this.timeout(60_000);
  let server: TestServer;
  const rooms: Room[] = [];
  before(async function () {
    server = await startTestServer();
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(() => server.close());

  /** Signs in as `username` from a device that names itself with `agent`. */
  async function signInAs(username: string, agent: string) {
    const res = await server.http.request('POST', '/auth/login', {
      body: { login: username, password: `${username}-password` },
      headers: { 'user-agent': agent },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { access_token: string; refresh_token: string };
  }

  async function devices(token: string): Promise<DeviceView[]> {
    const res = await server.http.get('/users/me/sessions', token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.next_cursor).to.equal(null);
    return res.body.items;
  }

  /** Joins `home`; `closed` resolves the close code the server ends the connection with. */
  async function homeWith(token: string): Promise<{ closed: Promise<number> }> {
    const client = new Client(server.url.replace('http', 'ws'));
    client.auth.token = token;
    const room = await client.joinOrCreate('home');
    rooms.push(room);
    return { closed: new Promise<number>((resolve) => room.onLeave((code) => resolve(code))) };
  }

  it('when I sign in on two devices, then my device list shows both with address and user agent, marks this one, and a refresh updates it in place', async () => {
    await server.http.signUp('twodevices');
    const phone = await signInAs('twodevices', 'PlazaPhone/1.0');
    const laptop = await signInAs('twodevices', 'PlazaLaptop/2.0');
    const fromLaptop = await devices(laptop.access_token);
    const laptopRow = fromLaptop.find((d) => d.user_agent === 'PlazaLaptop/2.0')!;
    const phoneRow = fromLaptop.find((d) => d.user_agent === 'PlazaPhone/1.0')!;
    expect(laptopRow).to.include({ current: true, address: '127.0.0.1' });
    expect(phoneRow).to.include({ current: false, address: '127.0.0.1' });
    expect(Date.parse(phoneRow.created_at)).to.be.a('number').and.not.NaN;
    // The sign-up's own login is a third device (no user agent set by the test client beyond fetch's).
    expect(fromLaptop).to.have.length(3);

    const rotated = await server.http.request('POST', '/auth/refresh', {
      body: { refresh_token: phone.refresh_token },
      headers: { 'user-agent': 'PlazaPhone/1.1' },
    });
    expect(rotated.status).to.equal(200);
    const after = await devices(rotated.body.access_token);
    expect(after).to.have.length(3);
    const phoneAfter = after.find((d) => d.id === phoneRow.id)!;
    expect(phoneAfter).to.include({ current: true, user_agent: 'PlazaPhone/1.1', created_at: phoneRow.created_at });
    expect(Date.parse(phoneAfter.last_used_at)).to.be.at.least(Date.parse(phoneRow.last_used_at));
  });

  it('when I end another device, then its tokens die at once, its room connection closes, and it leaves the list; this device lives', async () => {
    await server.http.signUp('ender');
    const stolen = await signInAs('ender', 'Unknown/0.1');
    const mine = await signInAs('ender', 'Mine/1.0');
    const { closed } = await homeWith(stolen.access_token);
    const target = (await devices(mine.access_token)).find((d) => d.user_agent === 'Unknown/0.1')!;

    const res = await server.http.delete(`/users/me/sessions/${target.id}`, mine.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(204);
    expect(await closed).to.equal(4401);
    expectError(await server.http.get('/users/me', stolen.access_token), 401, 11002);
    expectError(await server.http.post('/auth/refresh', { refresh_token: stolen.refresh_token }), 401, 11004);
    const left = await devices(mine.access_token);
    expect(left.map((d) => d.id)).to.not.include(target.id);
    expectError(await server.http.delete(`/users/me/sessions/${target.id}`, mine.access_token), 404, 12009);
  });

  it("when I try to end someone else's device or send a malformed id, then 404 12009 or 422 and their device lives", async () => {
    const alice = await server.http.signUp('alice');
    const bob = await server.http.signUp('bob');
    const [aliceDevice] = await devices(alice.access_token);
    expectError(await server.http.delete(`/users/me/sessions/${aliceDevice.id}`, bob.access_token), 404, 12009);
    expectError(await server.http.delete('/users/me/sessions/not-a-uuid', bob.access_token), 422, 10001);
    expect((await server.http.get('/users/me', alice.access_token)).status).to.equal(200);
    expectError(await server.http.get('/users/me/sessions'), 401, 11001);
  });

  it('when I end all other devices, then each of them dies at once and only this one remains', async () => {
    const first: Session = await server.http.signUp('cleaner');
    const second = await signInAs('cleaner', 'Second/1.0');
    const third = await signInAs('cleaner', 'Third/1.0');
    const keep = await signInAs('cleaner', 'Keep/1.0');
    const { closed } = await homeWith(third.access_token);

    const res = await server.http.post('/users/me/sessions/end-others', undefined, keep.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ ended: 3 });
    expect(await closed).to.equal(4401);
    for (const token of [first.access_token, second.access_token, third.access_token]) {
      expectError(await server.http.get('/users/me', token), 401, 11002);
    }
    const left = await devices(keep.access_token);
    expect(left.map((d) => d.user_agent)).to.deep.equal(['Keep/1.0']);
    expect(left[0].current).to.equal(true);
  });

  it('when I log out, then that device leaves my list', async () => {
    await server.http.signUp('logsout');
    const gone = await signInAs('logsout', 'Gone/1.0');
    const stays = await signInAs('logsout', 'Stays/1.0');
    expect((await server.http.post('/auth/logout', undefined, gone.access_token)).status).to.equal(204);
    const agents = (await devices(stays.access_token)).map((d) => d.user_agent);
    expect(agents).to.include('Stays/1.0').and.not.include('Gone/1.0');
  });
});
