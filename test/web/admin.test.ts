import fs from 'node:fs';
import { expect } from 'chai';
import { createAdmin, signUpWithRole } from '../helpers/testServer.ts';
import { startSshPeers, type SshPeers } from '../helpers/sshFixtures.ts';
import { eventually } from '../helpers/eventually.ts';
import { expectError } from '../helpers/http.ts';
import { openPage, screenshot, signInBrowser, signUpInBrowser, useBrowserAndServer } from '../helpers/browser.ts';

const SCREEN = { viewport: { width: 1280, height: 900 } };

describe('web console for admins: database explorer, in a real browser', function () {
  this.timeout(180_000);
  const web = useBrowserAndServer({
    config: () => ({ DB_CONSOLE_ENABLED: 'true' }),
    setup: async (server) => {
      await createAdmin(server, 'dba');
      for (const name of ['jiwoo', 'seoyeon']) await server.http.signUp(name);
    },
  });

  it('when an admin runs a query, draws a bar chart, exports CSV and saves the query, then it is there after a reload', async () => {
    const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'dba', SCREEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Database' }).click();
    await page.getByRole('heading', { name: 'Database explorer' }).waitFor();

    // The table browser: structure and newest rows of a table.
    await page.getByRole('navigation', { name: 'Tables' }).getByRole('button', { name: 'users', exact: true }).click();
    const columns = page.getByRole('table', { name: 'Columns of users' });
    await columns.waitFor();
    expect(await columns.getByRole('cell', { name: 'password_hash' }).count()).to.equal(0);
    await page
      .getByRole('table', { name: 'Sample of users' })
      .getByRole('cell', { name: 'seoyeon@example.test' })
      .waitFor();

    await page
      .getByLabel('SQL statement')
      .fill('select role, count(*)::int as n from users group by role order by role');
    await page.getByRole('button', { name: 'Run query' }).click();
    const result = page.getByRole('table', { name: 'Query result' });
    await result.getByRole('cell', { name: 'user', exact: true }).waitFor();
    expect(await result.getByRole('row').allInnerTexts()).to.deep.equal(['role\tn', 'admin\t1', 'user\t2']);

    await page.getByLabel('Chart type').selectOption('bar');
    await page.getByLabel('Label column').selectOption('role');
    await page.getByLabel('Value column').selectOption('n');
    const chart = page.getByRole('img', { name: 'Bar chart of n by role' });
    await chart.waitFor();
    expect(await chart.locator('rect title').allTextContents()).to.deep.equal(['admin: 1', 'user: 2']);
    await screenshot(page, 'db-explorer', { fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal('query.csv');
    expect(fs.readFileSync(await download.path(), 'utf8')).to.equal('role,n\r\nadmin,1\r\nuser,2\r\n');

    await page.getByLabel('Query name').fill('Users by role');
    await page.getByRole('button', { name: 'Save query' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “Users by role”.' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Database explorer' }).waitFor();
    const saved = page.getByRole('list', { name: 'My saved queries' });
    await saved.getByText('Users by role').waitFor();
    await saved.getByRole('button', { name: 'Load Users by role' }).click();
    expect(await page.getByLabel('SQL statement').inputValue()).to.equal(
      'select role, count(*)::int as n from users group by role order by role',
    );
    // The chart comes back with the query it was saved with.
    await page.getByRole('img', { name: 'Bar chart of n by role' }).waitFor();
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();
  });

  it('when a plain user looks for the explorer, then there is no link, the page is not available and the server refuses the routes', async () => {
    const { context, page } = await signUpInBrowser(web.browser, web.base, { username: 'curious' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Database' }).count()).to.equal(0);
    await page.goto(`${web.base}/console/db`);
    await page.getByRole('alert').filter({ hasText: 'This page is for operators or administrators.' }).waitFor();
    const { access_token } = await web.server.http.signIn('curious');
    expectError(await web.server.http.get('/admin/db/tables', access_token), 403, 11007);
    expectError(await web.server.http.post('/admin/db/query', { sql: 'select 1' }, access_token), 403, 11007);
    expectError(await web.server.http.get('/admin/db/saved-queries', access_token), 403, 11007);
    await context.close();
  });
});

describe('web console for operators: SSH control room, in a real browser', function () {
  this.timeout(180_000);
  let peers: SshPeers;
  const web = useBrowserAndServer({
    config: async () => {
      peers = await startSshPeers();
      return { SSH_SERVERS_FILE: peers.file, SSH_HEALTH_INTERVAL: '0.5' };
    },
    setup: (server) => signUpWithRole(server, 'opal', 'operator'),
    teardown: async () => peers?.stop(),
  });

  it('when an operator runs a command on a target, then its output streams into the terminal and the exit code shows', async () => {
    const { context, page, errors } = await signInBrowser(web.browser, web.base, 'opal', SCREEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SSH' }).click();
    await page.getByRole('heading', { name: 'SSH control room' }).waitFor();
    await page.getByRole('table', { name: 'Targets, checked live' }).getByRole('cell', { name: 'alpha' }).waitFor();

    await page.getByRole('button', { name: 'Start session' }).click();
    await page.getByRole('status', { name: 'Session holder' }).filter({ hasText: 'You hold the session' }).waitFor();

    await page.getByRole('combobox', { name: 'Server', exact: true }).selectOption('alpha');
    await page.getByLabel('Command', { exact: true }).fill('echo 안녕 plaza-one; echo plaza-two 1>&2; exit 3');
    await page.getByRole('button', { name: 'Run command' }).click();
    const outcome = page.getByRole('status', { name: 'Outcome' });
    await outcome.filter({ hasText: 'exit code 3' }).waitFor();
    // The drawn rows, not the screen reader's copy: xterm draws nothing while the terminal is off screen, so the
    // page must bring it into view when a command starts.
    const rows = page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows');
    const text = await eventually(
      async () => {
        const shown = await rows.innerText();
        return shown.includes('plaza-one') && shown.includes('plaza-two') ? shown : undefined;
      },
      'the terminal to draw both streams',
      30_000,
    );
    expect(text).to.include('안녕');
    expect(peers.alpha.commands).to.include('echo 안녕 plaza-one; echo plaza-two 1>&2; exit 3');
    await screenshot(page, 'ssh-control-room', { fullPage: true });

    await page.getByRole('button', { name: 'End session' }).click();
    await page.getByRole('status', { name: 'Session holder' }).filter({ hasText: 'No session' }).waitFor();
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});

describe('web console for admins: the admin page, in a real browser', function () {
  this.timeout(180_000);
  const web = useBrowserAndServer({
    setup: async (server) => {
      await createAdmin(server, 'warden');
      for (const name of ['mallory', 'minji']) await server.http.signUp(name);
    },
  });

  it('when an admin bans a user with a reason from the admin page, then the user’s sign-in is refused with that reason and the audit log lists the ban', async () => {
    const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'warden', SCREEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    expect(await page.getByRole('link', { name: 'Colyseus monitor' }).getAttribute('href')).to.equal('/admin/monitor/');

    await page.getByLabel('Search users').fill('mallory');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const users = page.getByRole('table', { name: 'Users' });
    await eventually(
      async () => (await users.getByRole('row').count()) === 2,
      'the search to find only mallory',
      30_000,
    );
    await users.getByRole('button', { name: 'Ban mallory' }).click();
    const banForm = page.getByRole('form', { name: 'Ban mallory' });
    await banForm.getByLabel('Ban reason').fill('spam in the lobby');
    await banForm.getByRole('button', { name: 'Confirm ban' }).click();
    await users.getByRole('button', { name: 'Unban mallory' }).waitFor();
    const row = users.getByRole('row').filter({ hasText: 'mallory' });
    expect(await row.getByRole('cell', { name: 'banned', exact: true }).count()).to.equal(1);
    await row.getByRole('cell', { name: 'spam in the lobby' }).waitFor();

    const audit = page.getByRole('table', { name: 'Audit log, newest first' });
    const banEntry = audit.getByRole('row').filter({ hasText: 'user.ban' });
    await banEntry.waitFor();
    expect(await banEntry.innerText())
      .to.include('warden')
      .and.include('spam in the lobby');
    await page.getByRole('table', { name: 'E-mail, newest first' }).waitFor();
    await screenshot(page, 'admin-users', { fullPage: true });
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);

    // The banned person, in their own browser: refused, and told why.
    const banned = await web.browser.newContext();
    const { page: theirs } = await openPage(banned);
    await theirs.goto(`${web.base}/console/signin`);
    await theirs.getByLabel('Username or e-mail').fill('mallory');
    await theirs.getByLabel('Password').fill('mallory-password');
    await theirs.getByRole('button', { name: 'Sign in' }).click();
    await theirs.getByRole('alert').filter({ hasText: 'This account is banned: spam in the lobby' }).waitFor();
    const refused = await web.server.http.post('/auth/login', { login: 'mallory', password: 'mallory-password' });
    expectError(refused, 403, 11008);
    expect(refused.body.error.detail).to.deep.equal({ reason: 'spam in the lobby', until: null });
    await banned.close();
    await context.close();
  });
});
