import { expect } from 'chai';
import { collapseCarriageReturns, OutputThrottle, splitByBytes } from '../../rooms/ssh/OutputThrottle.ts';
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

  it('when chunks of one stream arrive faster than the rate, then they are coalesced into one message', () => {
    const sent: [string, string][] = [];
    const throttle = new OutputThrottle((stream, data) => sent.push([stream, data]), 10);
    for (let i = 0; i < 30; i++) throttle.push('stdout', `o${i} `);
    throttle.flush();
    expect(sent).to.deep.equal([['stdout', Array.from({ length: 30 }, (_, i) => `o${i} `).join('')]]);
  });

  it('when stdout and stderr interleave within one throttle window, then they are sent in the order written', () => {
    const sent: [string, string][] = [];
    const throttle = new OutputThrottle((stream, data) => sent.push([stream, data]), 10);
    throttle.push('stdout', 'compiling a\n');
    throttle.push('stdout', 'compiling b\n');
    throttle.push('stderr', 'warning in b\n');
    throttle.push('stdout', 'compiling c\n');
    throttle.push('stderr', 'error in c\n');
    throttle.flush();
    expect(sent).to.deep.equal([
      ['stdout', 'compiling a\ncompiling b\n'],
      ['stderr', 'warning in b\n'],
      ['stdout', 'compiling c\n'],
      ['stderr', 'error in c\n'],
    ]);
  });

  it('when a text is longer than the message cap, then it is cut into pieces within the cap, whole characters, in order', () => {
    const text = 'é€😀a'.repeat(5000);
    const pieces = splitByBytes(text, 1000);
    expect(pieces.join('')).to.equal(text);
    for (const piece of pieces) {
      expect(Buffer.byteLength(piece)).to.be.at.most(1000);
      expect(piece).to.not.include('\uFFFD');
    }
    expect(pieces.length).to.be.at.least(Math.ceil(Buffer.byteLength(text) / 1000));
    expect(splitByBytes('short', 1000)).to.deep.equal(['short']);
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
