import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { adminQuery, baseUrl, usingPostgres } from '../helpers/testDatabase.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs one fixture spec in a mocha process configured like `npm test` (its node options and root hooks). */
async function runMocha(spec: string): Promise<{ code: number | null; output: string }> {
  const config = JSON.parse(fs.readFileSync(path.join(root, '.mocharc.json'), 'utf8')) as {
    'node-option'?: string[];
    require?: string[];
  };
  const args = ['--no-config', '--exit', '--timeout', '120000'];
  for (const option of config['node-option'] ?? []) args.push('--node-option', option);
  for (const hook of config.require ?? []) args.push('--require', hook);
  const child = spawn(process.execPath, [path.join(root, 'node_modules/mocha/bin/mocha.js'), ...args, spec], {
    cwd: root,
    env: process.env,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

describe('the PostgreSQL test run', function () {
  this.timeout(180_000);

  (usingPostgres ? it : it.skip)(
    'when a run ends, then its template database is gone too (PostgreSQL run only: PGlite templates live in memory)',
    async () => {
      const { code, output } = await runMocha('test/fixtures/oneTestDatabase.fixture.ts');
      expect(code, output).to.equal(0);
      const template = /TEMPLATE=(\S+)/.exec(output)?.[1];
      expect(template, output).to.be.a('string');
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        const { rows } = await client.query('select datname from pg_database where datname = $1', [template]);
        if (rows.length > 0) await adminQuery(baseUrl!, `drop database if exists "${template}" with (force)`);
        expect(rows, 'template database left behind').to.deep.equal([]);
      } finally {
        await client.end();
      }
    },
  );
});
