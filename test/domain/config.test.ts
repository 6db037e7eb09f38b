import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.ts';

const run = promisify(execFile);

describe('configuration', () => {
  it('when nothing is set, then every setting has a laptop-safe default', () => {
    const config = loadConfig({});
    expect(config.PORT).to.equal(2567);
    expect(config.HOST).to.equal('127.0.0.1');
    expect(config.DATABASE_URL).to.equal(undefined);
    expect(config.PGLITE_DIR).to.equal('./data/pglite');
    expect(config.ACCESS_TOKEN_TTL).to.equal(900);
  });

  it('when variables are malformed, then the error names each bad variable and hides secrets', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', JWT_SECRET: 'short-secret', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).to.include('PORT').and.include('"eighty"');
    expect(message).to.include('JWT_SECRET').and.not.include('short-secret');
    expect(message).to.include('DATABASE_URL');
  });

  it('when the server is started with a bad variable, then it exits non-zero with a message naming it', async () => {
    const failure = await run('node', ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: '99999', PGLITE_DIR: 'memory://' },
      timeout: 60_000,
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure, 'the server should refuse to start').to.not.equal(undefined);
    expect(failure!.code).to.not.equal(0);
    expect(failure!.stderr).to.include('PORT');
    expect(failure!.stderr).not.to.match(/\n\s+at /);
  });
});
