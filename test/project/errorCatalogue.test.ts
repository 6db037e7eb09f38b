import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors/codes.ts';

describe('the error catalogue', () => {
  const codes = Object.values(ErrorCodes).map((e) => e.code);

  it('when codes are listed, then each is used once and they are in numeric order', () => {
    expect(new Set(codes).size).to.equal(codes.length);
    expect(codes).to.deep.equal([...codes].sort((a, b) => a - b));
  });

  it('when a code is read, then its first digit names its area and its status is an HTTP error', () => {
    for (const e of Object.values(ErrorCodes)) {
      expect(String(e.code), `code ${e.code}`).to.match(/^[1-6]\d{4}$/);
      expect(e.status, `status of ${e.code}`).to.be.within(400, 599);
    }
  });
});
