import { expect } from 'chai';
import type { BrowserContext, Page, Route } from 'playwright-core';
import {
  BROWSER_HOST,
  openPage,
  screenshot,
  signInBrowser,
  signUpInBrowser,
  useBrowserAndServer,
} from '../helpers/browser.ts';
import { createAdmin } from '../helpers/testServer.ts';
import { png } from '../helpers/png.ts';

/**
 * Holds every POST /auth/refresh of the context until a second one arrives (or a moment has passed with only
 * one), then lets them go together: two tabs that refresh at once reach the server at once. Only network timing
 * is controlled; the server answers as ever.
 */
async function releaseRefreshesTogether(context: BrowserContext): Promise<void> {
  let held: Route[] = [];
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(timer);
    const routes = held;
    held = [];
    for (const route of routes) void route.continue();
  };
  await context.route('**/auth/refresh', (route) => {
    held.push(route);
    if (held.length >= 2) release();
    else timer = setTimeout(release, 1500);
  });
}

/** The messages list of a chat page. */
const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

const signedIn = (page: Page) => page.getByRole('heading', { name: 'My groups' }).waitFor({ timeout: 15_000 });

describe('web console for members: profile, notifications, support, room DMs and two tabs, in a real browser', function () {
  this.timeout(240_000);
  const web = useBrowserAndServer();

  // Over plain HTTP on a host name the console has no Web Locks (secure contexts only) and uses its IndexedDB lease;
  // on 127.0.0.1 (a secure context) it uses navigator.locks. Both must keep the two tabs signed in.
  for (const { host, lock, username } of [
    { host: BROWSER_HOST, lock: 'undefined', username: 'twotabs' },
    { host: '127.0.0.1', lock: 'object', username: 'twotabslocal' },
  ])
    it(`when two tabs of one browser refresh the access token at the same moment (on ${host}), then both stay signed in`, async () => {
      const base = `http://${host}:${web.server.port}`;
      const { context, page, errors } = await signUpInBrowser(web.browser, base, { username });
      expect(await page.evaluate('typeof navigator.locks')).to.equal(lock);
      const second = await openPage(context);
      await second.page.goto(`${base}/console/groups`);
      await signedIn(second.page);

      await releaseRefreshesTogether(context);
      await Promise.all([page.reload(), second.page.reload()]);
      await Promise.all([signedIn(page), signedIn(second.page)]);
      // The login itself survived: one more start of each tab signs in again.
      await context.unroute('**/auth/refresh');
      await page.reload();
      await signedIn(page);
      await second.page.reload();
      await signedIn(second.page);
      expect([...errors, ...second.errors]).to.deep.equal([]);
      await context.close();
    });

  it('when a member uploads an avatar and edits the profile, then the avatar shows in an image (on a conversation page too) and the devices list this one', async () => {
    const { context, page, violations, errors } = await signUpInBrowser(web.browser, web.base, {
      username: 'daeun',
      nickname: '다은',
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
    await page.getByText('No avatar yet.').waitFor();
    await page.getByLabel('Avatar image').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png(64, 48) });
    await page.getByRole('button', { name: 'Upload avatar' }).click();
    const avatar = page.getByRole('img', { name: 'My avatar' });
    await avatar.waitFor();
    await page.waitForFunction(
      (img) => (img as unknown as { complete: boolean }).complete,
      await avatar.elementHandle(),
    );
    expect(await avatar.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.equal(64);
    // The image comes through a signed link, never a bare file URL.
    expect(await avatar.getAttribute('src')).to.match(/^\/files\/\d+\?.*sig=/);

    await page.getByLabel('Bio').fill('서울에서 커피를 좋아하는 개발자');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Your profile is saved.' }).waitFor();
    const me = await web.server.http.get('/users/me', (await web.server.http.signIn('daeun')).access_token);
    expect(me.body.bio).to.equal('서울에서 커피를 좋아하는 개발자');
    await page.getByRole('table', { name: 'Signed-in devices' }).getByRole('cell', { name: 'This device' }).waitFor();
    await screenshot(page, 'profile', { fullPage: true });
    expect([...violations, ...errors]).to.deep.equal([]);
    await context.close();

    // Another member opening a conversation with daeun sees the avatar too (any signed-in user may).
    const other = await signUpInBrowser(web.browser, web.base, { username: 'sumin' });
    await other.page.goto(`${web.base}/console/people/${me.body.id}`);
    const theirs = other.page.getByRole('img', { name: "다은's avatar" });
    await theirs.waitFor();
    await other.page.waitForFunction(
      (img) => (img as unknown as { complete: boolean }).complete,
      await theirs.elementHandle(),
    );
    expect(await theirs.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).to.equal(64);
    expect([...other.violations, ...other.errors]).to.deep.equal([]);
    await other.context.close();
  });

  it('when someone follows a member whose notifications page is open, then it arrives live with an unread badge, marking it read clears both, and older ones page in', async () => {
    const { context, page, errors } = await signUpInBrowser(web.browser, web.base, { username: 'nari' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByText('No notifications yet.').waitFor();

    const follower = await web.server.http.signUp('gaeun');
    const nari = (await web.server.http.get('/users?q=nari', follower.access_token)).body.items[0];
    expect((await web.server.http.post(`/users/${nari.id}/follow`, {}, follower.access_token)).status).to.equal(204);

    const list = page.getByRole('list', { name: 'My notifications' });
    await list.getByText('gaeun follows you').waitFor();
    await nav.getByRole('link', { name: 'Notifications (1 unread)' }).waitFor();
    await screenshot(page, 'notifications');
    await list.getByRole('button', { name: 'Mark read: gaeun follows you' }).click();
    await nav.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    expect(await list.getByRole('button', { name: /Mark read/ }).count()).to.equal(0);

    // Twenty admin notices later, the follow is on the second page, and "Mark all read" clears everything.
    const admin = await createAdmin(web.server, 'noticeboard');
    for (let i = 1; i <= 20; i++)
      expect(
        (await web.server.http.post(`/admin/realtime/users/${nari.id}/send`, { text: `공지 ${i}` }, admin.access_token))
          .status,
      ).to.equal(200);
    await nav.getByRole('link', { name: 'Notifications (20 unread)' }).waitFor();
    await page.reload();
    await list.getByText('공지 20').waitFor();
    expect(await list.getByText('gaeun follows you').count()).to.equal(0);
    await page.getByRole('button', { name: 'Load older notifications' }).click();
    await list.getByText('gaeun follows you').waitFor();
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await nav.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    const unread = await web.server.http.get(
      '/notifications?unread=true',
      (await web.server.http.signIn('nari')).access_token,
    );
    expect(unread.body.items).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();
  });

  it('when a member writes to support, then the message reaches the admin inbox live and the admin’s reply reaches the member live', async () => {
    await createAdmin(web.server, 'helpdesk');
    const admin = await signInBrowser(web.browser, web.base, 'helpdesk');
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support inbox' }).click();
    await admin.page.getByRole('heading', { name: 'Support inbox' }).waitFor();

    const member = await signUpInBrowser(web.browser, web.base, { username: 'somin' });
    await member.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Support', exact: true })
      .click();
    await member.page.getByRole('heading', { name: 'Support' }).waitFor();
    await member.page.getByLabel('Message', { exact: true }).fill('비밀번호 변경이 안 돼요');
    await member.page.getByRole('button', { name: 'Send' }).click();
    const mine = member.page.getByRole('list', { name: 'Support conversation' });
    await mine.getByText('비밀번호 변경이 안 돼요').waitFor();

    await admin.page.getByRole('button', { name: 'Open conversation with somin' }).click();
    const thread = admin.page.getByRole('list', { name: 'Support conversation with somin' });
    await thread.getByText('비밀번호 변경이 안 돼요').waitFor();
    await admin.page.getByLabel('Message', { exact: true }).fill('확인했습니다. 지금 다시 해 보세요.');
    await admin.page.getByRole('button', { name: 'Send' }).click();
    await thread.getByText('확인했습니다. 지금 다시 해 보세요.').waitFor();

    await mine.getByText('확인했습니다. 지금 다시 해 보세요.').waitFor();
    expect(await mine.getByRole('listitem').last().innerText()).to.include('helpdesk (admin)');
    await screenshot(member.page, 'support');
    await screenshot(admin.page, 'support-inbox');
    expect([...admin.errors, ...member.errors, ...admin.violations, ...member.violations]).to.deep.equal([]);
    await admin.context.close();
    await member.context.close();
  });

  it('when a member sends a room DM in a group, then only its recipient receives it, marked private', async () => {
    const owner = await web.server.http.signUp('roomowner');
    const group = await web.server.http.post('/chat/groups', { name: '비밀 이야기' }, owner.access_token);
    expect(group.status).to.equal(201);
    for (const name of ['taeho', 'seri']) {
      const invited = await web.server.http.signUp(name);
      const res = await web.server.http.post(
        `/chat/groups/${group.body.id}/invite`,
        { user_id: invited.id },
        owner.access_token,
      );
      expect(res.status).to.be.oneOf([200, 201, 204]);
    }
    const people = await Promise.all(
      ['roomowner', 'taeho', 'seri'].map((name) => signInBrowser(web.browser, web.base, name)),
    );
    const [sender, recipient, bystander] = people;
    for (const { page } of people) {
      await page.goto(`${web.base}/console/groups/${group.body.id}`);
      await page.getByRole('heading', { name: '비밀 이야기' }).waitFor();
    }
    const members = sender.page.getByRole('complementary', { name: 'Members' });
    await members.getByText('seri').waitFor();
    await sender.page.getByLabel('Send to').selectOption({ label: 'taeho (private)' });
    await sender.page.getByLabel('Message', { exact: true }).fill('태호 씨만 보세요');
    await sender.page.getByRole('button', { name: 'Send privately' }).click();
    const received = messages(recipient.page).getByRole('listitem').filter({ hasText: '태호 씨만 보세요' });
    await received.getByText('(private to me)').waitFor();
    await messages(sender.page).getByText('(private to taeho)').waitFor();

    // The bystander receives what comes after it, and never the room DM.
    await sender.page.getByLabel('Send to').selectOption({ label: 'Everyone' });
    await sender.page.getByLabel('Message', { exact: true }).fill('모두에게: 회의는 3시');
    await sender.page.getByRole('button', { name: 'Send', exact: true }).click();
    await messages(bystander.page).getByText('모두에게: 회의는 3시').waitFor();
    await messages(recipient.page).getByText('모두에게: 회의는 3시').waitFor();
    expect(await messages(bystander.page).getByText('태호 씨만 보세요').count()).to.equal(0);
    await screenshot(recipient.page, 'room-dm');
    expect(people.flatMap((p) => p.errors)).to.deep.equal([]);
    for (const p of people) await p.context.close();
  });
});
