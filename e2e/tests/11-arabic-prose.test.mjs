// Issue 21: in Arabic, the order timeline and the attention queue carry no English prose. Every
// Latin-letter word left is data (an id, an amount, a reference, a code), which the UI marks
// (`data-raw`, `.mono`, `.code`, `dir="ltr"`) and this test sets aside.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until } from '../lib/app.mjs';

let app;

before(async () => {
  app = await launchApp({ name: 'arabic-prose', env: { MIZAN_DEMO_INTERVAL_MS: '300' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

const click = (testId) => app.click(testId);

/** The Latin-letter words in `selector`'s text once data is set aside. */
const latinWords = (selector) =>
  app.browser.execute((selector) => {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
      const copy = el.cloneNode(true);
      copy.querySelectorAll('[data-raw], .mono, .code, [dir="ltr"], pre').forEach((n) => n.remove());
      out.push(...(copy.textContent.match(/[A-Za-z]{2,}/g) ?? []));
    }
    return out;
  }, selector);

test('Arabic: the attention queue and an order timeline have no English words', async () => {
  const html = await app.browser.$('html');
  await (await app.$('orders-table')).waitForDisplayed();
  // Orders with a webhook, a move and a status change: let the demo run a while.
  await until(async () => (await app.$$('order-row')).length >= 5, { timeout: 40000, message: 'five demo orders' });
  await click('lang-toggle');
  await until(async () => (await html.getAttribute('dir')) === 'rtl', { message: '<html dir="rtl">' });

  await click('orders-tab-attention');
  await until(async () => (await app.$$('attention-item')).length > 0, { timeout: 40000, message: 'an attention item' });
  const queue = await latinWords('[data-testid="attention-item"]');
  await app.screenshot('attention-ar');
  assert.deepEqual(queue, [], `English words in the Arabic attention queue: ${queue.join(' ')}`);

  await click('orders-tab-all');
  // An order that has moved (captured or refunded) has the richest timeline.
  const id = await until(() => app.browser.execute(() => {
    const b = document.querySelector('[data-testid="order-row"] [data-status*="captured"], [data-testid="order-row"] [data-status*="refunded"]')
      ?? document.querySelector('[data-testid="order-row"] [data-status]');
    return b?.closest('[data-testid="order-row"]')?.dataset.orderId ?? null;
  }), { timeout: 40000, message: 'an order row' });
  await app.browser.execute((id) => {
    document.querySelector(`[data-testid="order-row"][data-order-id="${id}"]`)?.click();
  }, id);
  await (await app.$('order-detail')).waitForDisplayed();
  await until(async () => (await app.$$('timeline-entry')).length > 1, { message: 'timeline entries' });
  const timeline = await latinWords('[data-testid="timeline-entry"]');
  await app.screenshot('timeline-ar');
  assert.deepEqual(timeline, [], `English words in the Arabic timeline: ${timeline.join(' ')}`);
});
