import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createAdmin, createBoard } from '../helpers/boards.ts';
import { seedCsv } from '../helpers/ai.ts';
import { eventually } from '../helpers/eventually.ts';
import { png } from '../helpers/png.ts';
import { mailDrop } from '../../src/services.ts';
import { openPage, screenshot, signUpInBrowser, useBrowserAndServer } from '../helpers/browser.ts';

/** The messages list of a chat page. */
const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

describe('web console for members, in a real browser', function () {
  this.timeout(240_000);
  const web = useBrowserAndServer();

  it('when a browser opens /, then the console asks to sign in and its policy blocks nothing', async () => {
    const { page, violations, errors } = await openPage(web.browser);
    await page.goto(`${web.base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.url()).to.equal(`${web.base}/console/signin?next=%2Fconsole%2Fgroups`);
    await screenshot(page, 'sign-in');
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('when a person signs up, signs out and signs in again, then the session survives a reload, a plain user sees no admin or SSH navigation, and the server refuses those routes', async () => {
    const { context, page, violations } = await signUpInBrowser(web.browser, web.base, {
      username: 'minji',
      nickname: '민지',
    });
    await page.getByText('민지').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).to.deep.equal([
      'Groups',
      'People',
      'Boards',
      'AI jobs',
      'Notifications',
      'Support',
      'Profile',
    ]);
    expect(await nav.getByRole('heading', { name: /Operations|Administration/ }).count()).to.equal(0);
    // The same account, asking the server directly: refused.
    const session = await web.server.http.signIn('minji');
    expect((await web.server.http.get('/admin/users', session.access_token)).status).to.equal(403);
    expect((await web.server.http.get('/admin/ssh/audit', session.access_token)).status).to.equal(403);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username or e-mail').fill('minji');
    await page.getByLabel('Password').fill('minji-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    expect(violations).to.deep.equal([]);
    await context.close();
  });

  it("when a member forgets the password, then the e-mailed link opens the console's reset form and the new password signs in", async () => {
    await web.server.http.signUp('eunji');
    const { page } = await openPage(await web.browser.newContext());
    await page.goto(`${web.base}/console/forgot`);
    await page.getByLabel('E-mail').fill('eunji@example.test');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').getByText('a reset link is on its way').waitFor();
    const link = await eventually(
      () => {
        const mail = mailDrop(web.server.config)
          .list()
          .find((m) => m.to === 'eunji@example.test');
        return mail && /https?:\/\/\S+\/console\/reset\?token=[^\s"<]+/.exec(mail.text)?.[0];
      },
      'the reset mail',
      15_000,
    );
    const url = new URL(link);
    await page.goto(`${web.base}${url.pathname}${url.search}`);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await page.getByLabel('New password').fill('새 비밀번호 is long enough');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is changed').waitFor();
    const res = await web.server.http.post('/auth/login', { login: 'eunji', password: '새 비밀번호 is long enough' });
    expect(res.status).to.equal(200);
    await page.context().close();
  });

  it('when two members chat in a group from two browsers, then each sees the other live, typing shows, an edit shows, and a reload keeps the history', async () => {
    const alice = await signUpInBrowser(web.browser, web.base, { username: 'alice', nickname: '앨리스' });
    const bob = await signUpInBrowser(web.browser, web.base, { username: 'bob' });

    await alice.page.getByLabel('Group name').fill('스터디 모임');
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByRole('heading', { name: '스터디 모임' }).waitFor();
    await alice.page.getByLabel('Invite by username').fill('bob');
    await alice.page.getByRole('button', { name: 'Invite' }).click();
    await alice.page.getByText('bob is invited').waitFor();

    await bob.page.reload();
    await bob.page.getByRole('link', { name: '스터디 모임' }).click();
    await bob.page.getByRole('heading', { name: '스터디 모임' }).waitFor();

    await alice.page.getByLabel('Message', { exact: true }).fill('안녕하세요, 밥!');
    await alice.page.getByRole('button', { name: 'Send' }).click();
    await messages(bob.page).getByText('안녕하세요, 밥!').waitFor();

    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('hi alice');
    await alice.page.getByText('bob is typing…').waitFor();
    await bob.page.getByLabel('Message', { exact: true }).press('Enter');
    await messages(alice.page).getByText('hi alice').waitFor();

    await alice.page.getByRole('button', { name: 'Edit message: 안녕하세요, 밥!' }).click();
    await alice.page.getByLabel('Edit message').fill('안녕하세요, 밥! 반가워요');
    await alice.page.getByRole('button', { name: 'Save' }).click();
    await messages(bob.page).getByText('안녕하세요, 밥! 반가워요').waitFor();
    await screenshot(alice.page, 'group-chat');

    await bob.page.reload();
    await messages(bob.page).getByText('hi alice').waitFor();
    await messages(bob.page).getByText('안녕하세요, 밥! 반가워요').waitFor();
    await alice.page.goto(`${web.base}/console/groups`);
    await alice.page.getByRole('list', { name: 'My groups' }).getByText('스터디 모임').waitFor();
    await screenshot(alice.page, 'groups');
    expect([...alice.violations, ...bob.violations, ...alice.errors, ...bob.errors]).to.deep.equal([]);
    await alice.context.close();
    await bob.context.close();
  });

  it('when a member sends a DM to someone whose conversation page is open, then it appears there live, and the sender sees them online', async () => {
    const sender = await signUpInBrowser(web.browser, web.base, { username: 'sora', nickname: '소라' });
    const recipient = await signUpInBrowser(web.browser, web.base, { username: 'jun' });
    const soraId = (await web.server.http.get('/users?q=sora', (await web.server.http.signIn('jun')).access_token)).body
      .items[0].id;

    await recipient.page.goto(`${web.base}/console/people/${soraId}`);
    await recipient.page.getByRole('heading', { name: /소라/ }).waitFor();

    await sender.page.getByRole('link', { name: 'People' }).click();
    await sender.page.getByLabel('Username to follow').fill('jun');
    await sender.page.getByRole('button', { name: 'Follow' }).click();
    const friend = sender.page.getByRole('list', { name: 'People I follow' }).getByRole('listitem');
    await friend.getByText('online').waitFor();
    await friend.getByRole('link', { name: 'jun' }).click();
    await sender.page.getByLabel('Message', { exact: true }).fill('준, 오늘 회의 있어요');
    await sender.page.getByRole('button', { name: 'Send' }).click();

    await recipient.page.getByRole('list', { name: 'Messages with 소라' }).getByText('준, 오늘 회의 있어요').waitFor();
    await screenshot(recipient.page, 'direct-messages');
    expect([...sender.errors, ...recipient.errors]).to.deep.equal([]);
    await sender.context.close();
    await recipient.context.close();
  });

  it('when a member publishes a post with an image, then the post page shows the image', async () => {
    const admin = await createAdmin(web.server, 'boardkeeper');
    await createBoard(web.server, admin, { name: '자유게시판', description: 'Anything goes', access: 'public' });
    const writer = await signUpInBrowser(web.browser, web.base, { username: 'hana' });
    await writer.page.getByRole('link', { name: 'Boards' }).click();
    await writer.page.getByRole('link', { name: '자유게시판' }).click();
    await writer.page.getByLabel('Title').fill('봄 사진');
    await writer.page.getByLabel('Text').fill('오늘 찍은 사진입니다.');
    await writer.page
      .getByLabel('Attachments')
      .setInputFiles({ name: 'spring.png', mimeType: 'image/png', buffer: png(160, 90) });
    await writer.page.getByRole('button', { name: 'Publish' }).click();
    await writer.page.getByRole('heading', { name: '봄 사진' }).waitFor();
    const image = writer.page.getByRole('img', { name: 'spring.png' });
    await image.waitFor();
    await writer.page.waitForFunction(
      (img) => (img as unknown as { complete: boolean }).complete,
      await image.elementHandle(),
    );
    expect(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.equal(160);
    await writer.page.getByRole('button', { name: 'Like (0)' }).click();
    await writer.page.getByRole('button', { name: 'Unlike (1)' }).waitFor();
    await screenshot(writer.page, 'board-post');
    expect(writer.errors).to.deep.equal([]);
    await writer.context.close();
  });

  it('when a member trains a linear regression on an uploaded CSV, then the job page shows live status and the coefficients chart', async () => {
    const analyst = await signUpInBrowser(web.browser, web.base, { username: 'yuna' });
    await analyst.page.getByRole('link', { name: 'AI jobs' }).click();
    await analyst.page.getByLabel('Model').selectOption('linear-regression');
    await analyst.page
      .getByLabel('CSV dataset')
      .setInputFiles({ name: 'measurements.csv', mimeType: 'text/csv', buffer: Buffer.from(seedCsv(200)) });
    await analyst.page.getByLabel('Target column').selectOption('y');
    await analyst.page.getByRole('button', { name: 'Start training' }).click();
    await analyst.page.getByRole('status').getByText('Status: succeeded').waitFor({ timeout: 60_000 });
    const chart = analyst.page.getByRole('img', { name: 'Regression coefficients' });
    await chart.waitFor();
    expect(await chart.locator('rect').count()).to.equal(8);
    await screenshot(analyst.page, 'ai-regression');
    expect(analyst.errors).to.deep.equal([]);
    await analyst.context.close();
  });
});
