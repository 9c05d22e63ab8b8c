// Working with the desktop demo's traffic from a test: the generator captures one authorised
// order per tick, so a test that wants an order of its own stops the traffic first and lets
// what is in flight settle, then takes the oldest uncaptured order in the list.

import assert from 'node:assert/strict';
import { until, sleep } from './app.mjs';

/** Starts (`on`) or stops the demo traffic and waits until the switch says so. The click is a
 *  DOM click: at small window sizes the switch may be scrolled out of view. */
export async function setTraffic(app, on) {
  const toggle = await app.$('demo-traffic-toggle');
  await until(() => toggle.isExisting(), { message: 'the demo traffic switch' });
  if ((await toggle.isSelected()) !== on) {
    await app.browser.execute(() => document.querySelector('[data-testid="demo-traffic-toggle"]')?.click());
  }
  await until(async () => (await toggle.isSelected()) === on, { message: `demo traffic ${on ? 'on' : 'off'}` });
}

/** The ids of the rows the orders list shows, top to bottom. */
export async function rowIds(app) {
  return app.browser.execute(() => [...document.querySelectorAll('[data-testid="order-row"]')].map((r) => r.dataset.orderId));
}

/**
 * Opens an order the demo left uncaptured, on its order screen, with capture allowed, and
 * returns its id. The traffic is left stopped. An approved order is handed to `authorise`
 * (which authorises it through the app) when given, else skipped. Should none be left, the
 * traffic runs until one more order arrives, and the list is looked at again.
 */
export async function openCapturableOrder(app, { authorise } = {}) {
  const statuses = authorise ? ['authorised', 'approved'] : ['authorised'];
  const tried = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    await setTraffic(app, false);
    // A tick in flight when the switch turned, and its webhooks, may still move an order.
    await sleep(1500);
    const pick = await until(() => app.browser.execute((skip, statuses) => {
      const rows = [...document.querySelectorAll('[data-testid="order-row"]')].reverse(); // oldest first
      for (const row of rows) {
        const status = row.querySelector('[data-status]')?.dataset.status;
        const id = row.dataset.orderId;
        if (id && statuses.includes(status) && !skip.includes(id)) return id;
      }
      return null;
    }, tried, statuses), { timeout: 5000, message: 'an uncaptured order' }).catch(() => null);
    if (!pick) {
      const seen = await rowIds(app);
      await setTraffic(app, true);
      await until(async () => (await rowIds(app)).some((id) => !seen.includes(id)), {
        timeout: 30000,
        message: 'one more order from the demo traffic',
      });
      continue;
    }
    tried.push(pick);
    // A DOM click on that very row: a pointer click lands on coordinates, and a row arriving
    // above could move another one under them.
    await app.browser.execute((id) => {
      document.querySelector(`[data-testid="order-row"][data-order-id="${id}"]`)?.click();
    }, pick);
    const detail = await app.$('order-detail');
    await until(async () => (await detail.isExisting()) && (await detail.getAttribute('data-order-id')) === pick, {
      message: `the screen of order ${pick}`,
    });
    const status = await (await app.$('order-status')).getAttribute('data-status');
    if (status === 'approved' && authorise) await authorise();
    const capture = await app.$('action-capture');
    if (await until(() => capture.isEnabled(), { timeout: 5000, message: 'capture allowed' }).catch(() => false)) return pick;
    await app.browser.execute(() => { window.location.hash = '#/orders'; });
    await (await app.$('orders-table')).waitForDisplayed();
  }
  assert.fail(`an uncaptured order that allows a capture (tried ${tried.join(', ') || 'none'})`);
}
