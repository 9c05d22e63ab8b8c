// First run with no credentials: the real app opens a clearly labelled demo on the built-in
// sandbox, with nothing to configure (issue 5 §3).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until } from '../lib/app.mjs';

let app;
before(async () => {
  app = await launchApp({ name: 'launch', env: { MIZAN_DEMO_INTERVAL_MS: '400' } });
});
after(async () => {
  await app?.close();
});

test('the window opens titled Mizan and shows its first data', async () => {
  const { browser } = app;
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
  assert.match(await browser.getTitle(), /Mizan/);
});

test('with no API token anywhere it starts in demo mode, and says so', async () => {
  const badge = await app.$('env-badge');
  await badge.waitForDisplayed({ timeout: 15000 });
  assert.equal((await badge.getText()).trim(), 'DEMO');
  const banner = await app.$('demo-banner');
  await banner.waitForDisplayed({ timeout: 15000 });
  assert.ok((await banner.getText()).trim().length > 0, 'the demo banner says something');
  // The window title says it too (the UI sets the document's and the native window's).
  await until(async () => /DEMO/.test(await app.browser.getTitle()), { message: 'DEMO in the title' });
  assert.doesNotMatch(await app.browser.getTitle(), /PRODUCTION/);
  await app.screenshot('demo-start');
});

test('the demo data lives in the data dir it was given, not in the user\'s own', async () => {
  const { existsSync, readdirSync } = await import('node:fs');
  await until(() => existsSync(app.dirs.data) && readdirSync(app.dirs.data).length > 0, {
    message: `the app to write into MIZAN_DATA_DIR (${app.dirs.data})`,
  });
});

// A regression test: the orders table once re-rendered without end (react-table's auto-reset
// answering each new `data` array), and in WebKitGTK this click then froze the webview.
test('clicking Orders in the nav while the list is shown keeps the app responsive', async () => {
  // The list is the start screen (no hash yet); the nav link is a fragment navigation.
  await (await app.$('orders-table')).waitForDisplayed();
  assert.ok(await app.clickWithin('nav-orders'), 'the click on Orders got an answer within 10 s');
  // A frozen webview answers no WebDriver command: ask for something small, with a deadline.
  assert.ok(await app.responsive(), 'the webview answered within 10 s after the click');
  const answer = await app.browser.execute(
    () => `${location.hash} ${document.querySelectorAll('[data-testid="order-row"]').length}`,
  );
  assert.match(answer, /^#\/orders [1-9]/, 'the orders list is still shown');
});
