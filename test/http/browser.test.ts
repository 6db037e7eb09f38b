import { expect } from 'chai';
import { createAdmin } from '../helpers/boards.ts';
import { openPage, useBrowserAndServer } from '../helpers/browser.ts';

describe('pages in a real browser, over plain HTTP on a host name other than localhost', function () {
  this.timeout(120_000);
  const web = useBrowserAndServer();

  it('when /docs is opened, then Swagger UI renders every operation and nothing is blocked', async () => {
    const { page, violations } = await openPage(web.browser);
    await page.goto(`${web.base}/docs/`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    expect(await page.locator('.opblock').count()).to.be.greaterThan(50);
    expect(violations).to.deep.equal([]);
    await page.close();
  });

  it('when /redoc is opened, then Redoc renders every operation from local assets and fetches nothing from elsewhere', async () => {
    const { page, violations } = await openPage(web.browser);
    await page.goto(`${web.base}/redoc`);
    await page.waitForSelector('[data-section-id^="operation/"]', { timeout: 60_000 });
    expect(await page.locator('[data-section-id^="operation/"]').count()).to.be.greaterThan(50);
    expect(await page.locator('[data-section-id="operation/listPosts"]').count()).to.equal(1);
    // The policy allows this origin only, so anything fetched from elsewhere would be a violation. Redoc's
    // sidebar always shows its maker's logo from their CDN: the policy refuses it (the image hides itself),
    // and that is the only thing refused.
    expect(violations).to.deep.equal(['img-src https://cdn.redoc.ly/redoc/logo-mini.svg']);
    await page.close();
  });

  it('when an admin signs in to the monitor, then the monitor page renders and nothing is blocked', async () => {
    await createAdmin(web.server, 'watcher');
    const { page, violations } = await openPage(web.browser);
    await page.goto(`${web.base}/admin/monitor/`);
    await page.waitForURL(`${web.base}/admin/monitor/login`);
    await page.fill('input[name=login]', 'watcher');
    await page.fill('input[name=password]', 'watcher-password');
    await Promise.all([page.waitForURL(`${web.base}/admin/monitor/`), page.click('button[type=submit]')]);
    // The room list appears once the page has called the monitor's API with the sign-in cookie.
    await page
      .getByText(/No active rooms\.|Inspect/)
      .first()
      .waitFor({ timeout: 30_000 });
    // Only the icon font from fonts.googleapis.com may fail (no internet here); nothing may be refused by the policy.
    expect(violations).to.deep.equal([]);
    await page.close();
  });
});
