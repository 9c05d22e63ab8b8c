// Issue 21: at 900×600 the capture dialog's Send stays in the window and can be clicked: the
// dialog's body scrolls while its footer stays in view.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until } from '../lib/app.mjs';
import { openCapturableOrder } from '../lib/demo.mjs';

let app;

before(async () => {
  app = await launchApp({ name: 'small-window', env: { MIZAN_DEMO_INTERVAL_MS: '300' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test('at 900×600 the capture dialog\'s Send is in view and clickable', async () => {
  await app.browser.setWindowSize(900, 600);
  await until(async () => (await app.browser.execute(() => window.innerHeight)) <= 600, { message: 'the window to be 600 px high' });
  await (await app.$('orders-table')).waitForDisplayed();
  await openCapturableOrder(app);
  await (await app.$('action-capture')).click();
  await (await app.$('move-dialog')).waitForDisplayed();
  const send = await app.$('move-submit');
  await send.waitForDisplayed();
  const where = await app.browser.execute(() => {
    const b = document.querySelector('[data-testid="move-submit"]');
    const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { top: r.top, bottom: r.bottom, height: window.innerHeight, width: window.innerWidth, hit: hit === b || b.contains(hit) };
  });
  await app.screenshot('capture-900x600');
  assert.ok(where.height <= 600, `the window is 600 px high (${where.height})`);
  assert.ok(where.top >= 0 && where.bottom <= where.height, `Send is inside the window: ${JSON.stringify(where)}`);
  assert.ok(where.hit, 'nothing covers Send');
  await send.waitForClickable({ timeout: 5000 });
});
