import fs from 'node:fs';
import { expect } from 'chai';
import { describeConfig } from '../../src/config.ts';
import { ErrorCodes } from '../../src/errors/codes.ts';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README stays true to the code', () => {
  it('when a setting exists, then the configuration table lists it', () => {
    const missing = describeConfig().filter((c) => !readme.includes(`| \`${c.name}\` |`));
    expect(missing.map((c) => c.name)).to.deep.equal([]);
  });

  it('when an error code exists, then the error table lists it with its HTTP status', () => {
    const missing = Object.values(ErrorCodes).filter((e) => !readme.includes(`| ${e.code} | ${e.status} |`));
    expect(missing.map((e) => e.code)).to.deep.equal([]);
  });

  it('when the error table is read top to bottom, then its codes are in numeric order like the catalogue', () => {
    const codes = [...readme.matchAll(/^\| (\d{5}) \| \d{3} \|/gm)].map((m) => Number(m[1]));
    expect(codes).to.deep.equal([...codes].sort((a, b) => a - b));
  });

  it('when a user reads the quick start, then it shows exactly the two commands', () => {
    expect(readme).to.include('npm install && npm start');
    expect(readme).to.include('npm test');
  });
});
