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
    expect(config.PGLITE_DIR).to.equal('data/pglite');
    expect(config.BACKUP_DIR).to.equal('data/backups');
    expect(config.ACCESS_TOKEN_TTL).to.equal(900);
  });

  it('when only DATA_DIR is set, then the embedded database and the backups live under it; set on their own, they stay put', () => {
    const moved = loadConfig({ DATA_DIR: '/srv/plaza' });
    expect(moved.PGLITE_DIR).to.equal('/srv/plaza/pglite');
    expect(moved.BACKUP_DIR).to.equal('/srv/plaza/backups');
    const own = loadConfig({ DATA_DIR: '/srv/plaza', PGLITE_DIR: '/fast/pglite', BACKUP_DIR: '/cold/backups' });
    expect(own.PGLITE_DIR).to.equal('/fast/pglite');
    expect(own.BACKUP_DIR).to.equal('/cold/backups');
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

  it('when REDIS_URL is set on the embedded database or without JWT_SECRET, then start-up is refused naming the variables', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('the configuration should be refused');
    };
    const onPglite = refusal({ REDIS_URL: 'redis://127.0.0.1:6379/0', JWT_SECRET: 'x'.repeat(32) });
    expect(onPglite).to.include('REDIS_URL').and.include('DATABASE_URL').and.not.include('JWT_SECRET');
    const noSecret = refusal({ REDIS_URL: 'redis://127.0.0.1:6379/0', DATABASE_URL: 'postgresql://db/plaza' });
    expect(noSecret).to.include('REDIS_URL').and.include('JWT_SECRET');
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      DATABASE_URL: 'postgresql://db/plaza',
      JWT_SECRET: 'x'.repeat(32),
      PUBLIC_ADDRESS: 'plaza.example.com/p1',
    });
    expect(config.PUBLIC_ADDRESS).to.equal('plaza.example.com/p1');
    expect(refusal({ PUBLIC_ADDRESS: 'https://plaza.example.com/p1' })).to.include('PUBLIC_ADDRESS');
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
