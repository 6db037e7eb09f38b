import { expect } from 'chai';
import { SignedFileLinks } from '../../src/domain/files/SignedFileLinks.ts';

describe('signed file links', () => {
  const query = (url: string) => {
    const q = new URL(url, 'http://x').searchParams;
    return { exp: Number(q.get('exp')), uid: Number(q.get('uid')), role: q.get('role') as 'user', sig: q.get('sig')! };
  };

  it('when a link is used before it expires, then it names the viewer it was made for; after, it is refused', () => {
    let now = 1_000_000_000_000;
    const links = new SignedFileLinks('secret-secret-secret-secret-secret', 300, () => now);
    const { url } = links.sign({ userId: 7, role: 'user' }, 42);
    expect(links.viewerOf(42, query(url))).to.deep.equal({ userId: 7, role: 'user' });
    now += 300_000;
    expect(() => links.viewerOf(42, query(url))).to.throw('File not found');
  });

  it('when a link is checked under another secret, then it is refused', () => {
    const { url } = new SignedFileLinks('one-secret-one-secret-one-secret', 300).sign({ userId: 7, role: 'user' }, 42);
    expect(() => new SignedFileLinks('two-secret-two-secret-two-secret', 300).viewerOf(42, query(url))).to.throw();
  });
});
