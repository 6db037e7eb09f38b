import { expect } from 'chai';
import { collapseCarriageReturns, OutputThrottle } from '../../rooms/ssh/OutputThrottle.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { SshRoomClient } from '../helpers/sshRoomClient.ts';
import { RequestContext } from '@mikro-orm/core';

describe('ssh room output shaping', () => {
  it('when a line is rewritten with carriage returns, then only its last rewrite is kept', () => {
    expect(collapseCarriageReturns('plain\ntext\n')).to.equal('plain\ntext\n');
    expect(collapseCarriageReturns('10%\r20%\r30%\n')).to.equal('\r30%\n');
    expect(collapseCarriageReturns('head\n10%\r20%\r30%\ntail\n')).to.equal('head\n30%\ntail\n');
    expect(collapseCarriageReturns('windows\r\nlines\r\n')).to.equal('windows\nlines\n');
    expect(collapseCarriageReturns('\r 5%\r 6%\r')).to.equal('\r 6%\r');
  });

  it('when chunks arrive faster than the rate, then they are coalesced per stream, each stream in order', async () => {
    const sent: [string, string][] = [];
    const throttle = new OutputThrottle((stream, data) => sent.push([stream, data]), 10);
    for (let i = 0; i < 30; i++) {
      throttle.push('stdout', `o${i} `);
      if (i % 3 === 0) throttle.push('stderr', `e${i} `);
    }
    throttle.flush();
    expect(sent.length).to.be.at.most(3);
    expect(
      sent
        .filter(([s]) => s === 'stdout')
        .map(([, d]) => d)
        .join(''),
    ).to.equal(Array.from({ length: 30 }, (_, i) => `o${i} `).join(''));
    expect(
      sent
        .filter(([s]) => s === 'stderr')
        .map(([, d]) => d)
        .join(''),
    ).to.equal(Array.from({ length: 10 }, (_, i) => `e${i * 3} `).join(''));
  });

  describe('with no SSH_SERVERS_FILE', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server.close();
    });

    it('when an operator joins, then the room works with zero targets and commands get 20004', async () => {
      await RequestContext.create(server.services.orm.em, () =>
        server.services.auth.register({
          username: 'opal',
          email: 'opal@example.test',
          password: 'opal-password',
          role: 'operator',
        }),
      );
      const { access_token } = await server.http.signIn('opal', 'opal-password');
      const opal = await SshRoomClient.join(server.url, access_token);
      try {
        const welcome = await opal.next('welcome');
        expect(welcome.server_health).to.deep.equal({});
        expect(welcome.servers).to.deep.equal([]);
        await opal.expectError('ssh_command', { server_name: 'anything', command: 'true' }, 20004);
      } finally {
        await opal.leave();
      }
    });
  });
});
