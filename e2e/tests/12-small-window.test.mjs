// Issue 21: at 900×600 the capture dialog's Send stays in the window and can be clicked: the
// dialog's body scrolls while its footer stays in view.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until, sleep } from '../lib/app.mjs';

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
  // The demo captures orders by itself: stop it, then try authorised orders until one still
  // allows a capture when its screen opens.
  const toggle = await app.$('demo-traffic-toggle');
  await until(() => toggle.isExisting(), { message: 'the demo traffic switch' });
  const tried = [];
  let opened = false;
  for (let attempt = 0; attempt < 12 && !opened; attempt++) {
    const on = attempt % 2 === 1; // let traffic run every other round to make new orders
    if ((await toggle.isSelected()) !== on) await app.browser.execute(() => document.querySelector('[data-testid="demo-traffic-toggle"]')?.click());
    if (on) { await sleep(3000); continue; }
    const id = await until(() => app.browser.execute((skip) => {
      for (const b of document.querySelectorAll('[data-testid="order-row"] [data-status="authorised"]')) {
        const id = b.closest('[data-testid="order-row"]')?.dataset.orderId;
        if (id && !skip.includes(id)) return id;
      }
      return null;
    }, tried), { timeout: 8000, message: 'an authorised order' }).catch(() => null);
    if (!id) continue;
    tried.push(id);
    await app.browser.execute((id) => {
      document.querySelector(`[data-testid="order-row"][data-order-id="${id}"]`)?.click();
    }, id);
    await (await app.$('order-detail')).waitForDisplayed();
    const capture = await app.$('action-capture');
    opened = await until(() => capture.isEnabled(), { timeout: 5000, message: 'capture allowed' }).catch(() => false);
    if (opened) await capture.click();
    else {
      await app.browser.execute(() => { window.location.hash = '#/orders'; });
      await (await app.$('orders-table')).waitForDisplayed();
    }
  }
  assert.ok(opened, `an order that allows a capture (tried ${tried.join(', ')})`);
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
