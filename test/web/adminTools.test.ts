import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createAdmin } from '../helpers/testServer.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { screenshot, signInBrowser, useBrowserAndServer } from '../helpers/browser.ts';

/** Opens an admin page from the side navigation and waits for its heading. */
async function openFromNav(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('web console for admins: users, boards and grants, live clients, AI models and the monitor, in a real browser', function () {
  this.timeout(180_000);
  const web = useBrowserAndServer({
    setup: async (server) => {
      await createAdmin(server, 'keeper');
      await web.server.http.signUp('dahye');
    },
  });

  it('when an admin creates a user on the admin page, then that user signs in with the password the admin chose', async () => {
    const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'keeper');
    await openFromNav(page, 'Admin', 'Administration');
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username').fill('newcomer');
    await form.getByLabel('E-mail').fill('newcomer@example.test');
    await form.getByLabel('Password').fill('newcomer-password');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: 'Created newcomer (operator).' }).waitFor();
    await page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: 'newcomer@example.test' }).waitFor();
    await page
      .getByRole('table', { name: 'Audit log, newest first' })
      .getByRole('row')
      .filter({ hasText: 'user.create' })
      .waitFor();
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();

    const theirs = await signInBrowser(web.browser, web.base, 'newcomer');
    // An operator: the SSH control room is in their navigation, the admin pages are not.
    const nav = theirs.page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'SSH' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).to.equal(0);
    await theirs.context.close();
  });

  it('when an admin creates a restricted board and grants a user read, then that user sees the board and nobody else does', async () => {
    const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'keeper');
    await openFromNav(page, 'Board grants', 'Boards and grants');
    await page.getByRole('button', { name: 'New board' }).click();
    const form = page.getByRole('form', { name: 'New board' });
    await form.getByLabel('Board name').fill('운영진 공지');
    await form.getByLabel('Description').fill('For the staff');
    await form.getByLabel('Access policy').selectOption('restricted');
    await form.getByRole('button', { name: 'Save board' }).click();
    const boards = page.getByRole('table', { name: 'Boards' });
    await boards.getByRole('button', { name: 'Grants of 운영진 공지' }).click();

    const grant = page.getByRole('form', { name: 'Grant access to 운영진 공지' });
    await grant.getByLabel('Grant to username').fill('dahye');
    await grant.getByRole('button', { name: 'Grant' }).click();
    const grants = page.getByRole('table', { name: 'Grants on 운영진 공지' });
    await grants.getByRole('button', { name: 'Revoke dahye' }).waitFor();
    expect(await grants.getByRole('row').allInnerTexts()).to.deep.equal([
      'User\tread\twrite\tcomment\tupload\tActions',
      'dahye\tyes\tno\tno\tno\tRevoke dahye',
    ]);
    await screenshot(page, 'admin-boards', { fullPage: true });

    // Delete and restore: the deleted list has it, the restore brings it back.
    await boards.getByRole('button', { name: 'Delete 운영진 공지' }).click();
    await page.getByLabel('Show deleted boards').check();
    await page
      .getByRole('table', { name: 'Deleted boards' })
      .getByRole('button', { name: 'Restore 운영진 공지' })
      .click();
    await page.getByRole('status').filter({ hasText: '운영진 공지 is restored.' }).waitFor();
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();

    const reader = await signInBrowser(web.browser, web.base, 'dahye');
    await reader.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Boards' }).click();
    await reader.page.getByRole('link', { name: '운영진 공지' }).waitFor();
    await reader.context.close();
    const outsider = await web.server.http.signUp('outsider');
    const visible = await web.server.http.get('/boards', outsider.access_token);
    expect(visible.body.items.map((b: { name: string }) => b.name)).not.to.include('운영진 공지');
  });

  it('when an SDK client is connected, then the live page lists it, a notice sent from the page arrives at it, and a broadcast reaches its group', async () => {
    const member = await web.server.http.signIn('dahye');
    const client = sdkClient(web.server, member);
    const home = await client.joinOrCreate('home');
    const notifications = new Inbox(home, 'notification');
    const group = (await web.server.http.post('/chat/groups', { name: '반상회' }, member.access_token)).body;
    const chat = await client.joinOrCreate('chat', { groupId: group.id });
    const messages = new Inbox(chat, 'message');
    chat.onMessage('sync', () => undefined);
    try {
      const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'keeper');
      await openFromNav(page, 'Live clients', 'Live clients and groups');
      const clients = page.getByRole('table', { name: 'Connected clients, oldest first' });
      // The row of this very connection (the member's console in an earlier test may still be listed).
      const row = clients.getByRole('row').filter({ hasText: home.sessionId });
      await row.waitFor();
      expect(await row.getByRole('cell', { name: '127.0.0.1', exact: true }).count(), 'its address').to.equal(1);

      await row.getByRole('button', { name: 'Message dahye' }).click();
      const form = page.getByRole('form', { name: 'Message to dahye' });
      await form.getByLabel('Notice text').fill('점검 안내: 10분 뒤 재시작');
      await form.getByRole('button', { name: 'Send notice' }).click();
      await page.getByRole('status').filter({ hasText: 'Sent to dahye (delivered live).' }).waitFor();
      const notice = await notifications.next((n) => n.type === 'notice');
      expect(notice.text).to.equal('점검 안내: 10분 뒤 재시작');

      const groups = page.getByRole('table', { name: 'Groups with a live room' });
      await groups.getByRole('button', { name: 'Open 반상회' }).click();
      const members = page.getByRole('table', { name: 'Members of 반상회' });
      await members.getByRole('row').filter({ hasText: '@dahye' }).filter({ hasText: 'since' }).waitFor();
      const broadcast = page.getByRole('form', { name: 'Broadcast to 반상회' });
      await broadcast.getByLabel('Broadcast text').fill('hello from the admins');
      await broadcast.getByRole('button', { name: 'Broadcast' }).click();
      expect((await messages.next((m) => m.text === 'hello from the admins')).kind).to.equal('system');
      await screenshot(page, 'admin-live', { fullPage: true });

      // The client leaves: the next refresh no longer lists it.
      await leaveQuietly(chat);
      await leaveQuietly(home);
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await row.waitFor({ state: 'detached' });
      expect(violations).to.deep.equal([]);
      expect(errors).to.deep.equal([]);
      await context.close();
    } finally {
      await leaveQuietly(chat);
      await leaveQuietly(home);
    }
  });

  it('when an admin disables a model and shortens its timeout, then the settings are there after a reload', async () => {
    const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'keeper');
    await openFromNav(page, 'AI models', 'AI model settings');
    const models = (await web.server.http.get('/ai/models', (await web.server.http.signIn('keeper')).access_token)).body
      .items;
    const id: string = models[0].id;
    const settings = page.getByRole('form', { name: `Settings of ${id}` });
    await settings.getByLabel('Enabled').uncheck();
    await settings.getByLabel('Job timeout (ms)').fill('4321');
    await settings.getByRole('button', { name: `Save ${id}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved ${id}: disabled, timeout 4321 ms.` })
      .waitFor();
    await screenshot(page, 'admin-ai-models', { fullPage: true });

    await page.reload();
    const reloaded = page.getByRole('form', { name: `Settings of ${id}` });
    await reloaded.waitFor();
    expect(await reloaded.getByLabel('Enabled').isChecked()).to.equal(false);
    expect(await reloaded.getByLabel('Job timeout (ms)').inputValue()).to.equal('4321');
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();
  });

  it('when an admin follows the monitor link on the admin page, then the Colyseus monitor opens without a second sign-in', async () => {
    const { context, page, violations, errors } = await signInBrowser(web.browser, web.base, 'keeper');
    await openFromNav(page, 'Admin', 'Administration');
    const api = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/admin/monitor/api'));
    await page.getByRole('link', { name: 'Colyseus monitor' }).click();
    await page.waitForURL(`${web.base}/admin/monitor/`);
    expect((await api).status()).to.equal(200);
    expect(await page.title()).to.equal('Colyseus Stats');
    // The monitor lists the live rooms (this admin's own console is in a `home` room).
    await page.getByRole('cell', { name: 'home', exact: true }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).to.equal(0);
    await screenshot(page, 'admin-monitor');
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
