import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

const BEYOND_INT = 3_000_000_000;

describe('room errors for values the database cannot hold', () => {
  let server: TestServer;
  let ada: Session;
  let groupId: number;

  before(async () => {
    server = await startTestServer();
    ada = await server.http.signUp('ada');
    groupId = (await server.http.post('/chat/groups', { name: 'kinds' }, ada.access_token)).body.id;
  });
  after(() => server.close());

  it('in a chat room, when an edit holds a NUL character or a message id beyond the range, then the sender gets 30008 and stays connected', async () => {
    const room = await sdkClient(server, ada).joinOrCreate('chat', { groupId });
    try {
      const [messages, errors] = [new Inbox(room, 'message'), new Inbox(room, 'error')];
      room.send('msg', { text: 'editable' });
      const sent = await messages.next((m) => m.text === 'editable');
      room.send('edit', { message_id: sent.id, text: 'bad\u0000text' });
      expect((await errors.next()).error_code).to.equal(30008);
      room.send('read', { message_id: BEYOND_INT });
      expect((await errors.next((e) => errors.items.indexOf(e) === 1)).error_code).to.equal(30008);
      room.send('msg', { text: 'still here' });
      await messages.next((m) => m.text === 'still here');
    } finally {
      await leaveQuietly(room);
    }
  });
});
