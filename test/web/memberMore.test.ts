import { expect } from 'chai';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { openPage, signUpInBrowser, useBrowserAndServer } from '../helpers/browser.ts';

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

const signedIn = (page: Page) => page.getByRole('heading', { name: 'My groups' }).waitFor({ timeout: 15_000 });

describe('web console for members: profile, notifications, support, room DMs and two tabs, in a real browser', function () {
  this.timeout(240_000);
  const web = useBrowserAndServer();

  it('when two tabs of one browser refresh the access token at the same moment, then both stay signed in', async () => {
    const { context, page, errors } = await signUpInBrowser(web.browser, web.base, { username: 'twotabs' });
    const second = await openPage(context);
    await second.page.goto(`${web.base}/console/groups`);
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
});
