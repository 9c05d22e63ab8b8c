// Issue 21 §1: the live list never moves under the pointer. With demo orders arriving every
// 300 ms, a row is hovered, new orders arrive (they wait behind the "N new orders" bar), and a
// click at the same spot opens exactly the order that was hovered.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until, sleep } from '../lib/app.mjs';

let app;

before(async () => {
  app = await launchApp({ name: 'holds-still', env: { MIZAN_DEMO_INTERVAL_MS: '300' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

/** The order id of the row drawn at (x, y) in the viewport, if any. */
const orderAt = (x, y) =>
  app.browser.execute((x, y) => document.elementFromPoint(x, y)?.closest('[data-testid="order-row"]')?.getAttribute('data-order-id') ?? null, x, y);

test('a hovered row stays put while new orders arrive, and the click opens that order', async () => {
  await (await app.$('orders-table')).waitForDisplayed();
  await until(async () => (await app.$$('order-row')).length >= 6, { timeout: 30000, message: 'six demo orders' });

  const row = (await app.$$('order-row'))[4];
  const hovered = await row.getAttribute('data-order-id');
  const rect = await app.browser.execute((id) => {
    const r = document.querySelector(`[data-testid="order-row"][data-order-id="${id}"]`).getBoundingClientRect();
    return { x: Math.round(r.left + r.width / 3), y: Math.round(r.top + r.height / 2) };
  }, hovered);
  await app.browser.action('pointer').move({ x: rect.x, y: rect.y, origin: 'viewport' }).perform();
  await until(async () => (await (await app.$('orders-table')).getAttribute('data-held')) === 'true', {
    message: 'the list to be held under the pointer',
  });
  const total = await (await app.$('orders-total')).getAttribute('data-total');

  // New deliveries: the bar counts them, the list does not take them in.
  const bar = await app.$('new-orders');
  await bar.waitForDisplayed({ timeout: 30000 });
  await until(async () => Number(await bar.getAttribute('data-count')) >= 2, { timeout: 30000, message: 'two orders waiting' });
  await sleep(1000);
  assert.equal(await orderAt(rect.x, rect.y), hovered, 'the same order is still under the pointer');
  assert.equal(await (await app.$('orders-total')).getAttribute('data-total'), total, 'the count waits too');
  await app.screenshot('list-held-under-pointer');

  await app.browser.action('pointer').move({ x: rect.x, y: rect.y, origin: 'viewport' }).down().up().perform();
  const detail = await app.$('order-detail');
  await detail.waitForDisplayed({ timeout: 15000 });
  assert.equal(await detail.getAttribute('data-order-id'), hovered, 'the order opened is the one hovered');
});

test('shown on demand: the waiting orders appear on top', async () => {
  await app.browser.execute(() => { window.location.hash = '#/orders'; });
  await (await app.$('orders-table')).waitForDisplayed();
  const first = await (await app.$$('order-row'))[0].getAttribute('data-order-id');
  // Hold the list with the pointer until orders wait, then show them.
  const table = await app.$('orders-table');
  await table.moveTo();
  const bar = await app.$('new-orders');
  await bar.waitForDisplayed({ timeout: 30000 });
  await bar.click();
  await until(async () => (await (await app.$$('order-row'))[0].getAttribute('data-order-id')) !== first, {
    message: 'the new orders on top',
  });
});
