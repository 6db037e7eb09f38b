import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { BROWSER_HOST, launchChromium, openPage, signUpInBrowser, skipWithoutChromium } from '../helpers/browser.ts';

describe('web console for members, in a real browser', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let base: string;

  before(async function () {
    skipWithoutChromium(this);
    server = await startTestServer();
    base = `http://${BROWSER_HOST}:${server.port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('when a browser opens /, then the console asks to sign in and its policy blocks nothing', async () => {
    const { page, violations, errors } = await openPage(browser);
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.url()).to.equal(`${base}/console/signin?next=%2Fconsole%2Fgroups`);
    expect(violations).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('when a person signs up, signs out and signs in again, then the session survives a reload and a plain user sees no admin or SSH navigation', async () => {
    const { context, page } = await signUpInBrowser(browser, base, { username: 'minji', nickname: '민지' });
    await page.getByText('민지').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).to.not.include.members(['SSH', 'Users', 'Database']);
    expect(await nav.getByRole('heading', { name: /Operations|Administration/ }).count()).to.equal(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username or e-mail').fill('minji');
    await page.getByLabel('Password').fill('minji-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    await context.close();
  });
});
