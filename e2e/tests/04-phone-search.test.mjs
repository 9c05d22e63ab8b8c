// Issue 21 §3: a customer is found by phone however it is typed — the stored digits, with the
// national trunk 0, or international with spaces — and the order header shows the contact.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until } from '../lib/app.mjs';

let app;

before(async () => {
  app = await launchApp({ name: 'phone-search', env: { MIZAN_DEMO_INTERVAL_MS: '400' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

async function typeInto(testId, value) {
  const el = await app.$(testId);
  await el.waitForDisplayed();
  await el.click();
  await app.browser.keys(['Control', 'a']);
  await app.browser.keys('Backspace');
  if (value !== '') await el.addValue(value);
  await until(async () => (await el.getValue()) === value, { message: `${testId} to hold ${value}` });
}

const rowIds = async () => {
  const ids = [];
  for (const r of await app.$$('order-row')) ids.push(await r.getAttribute('data-order-id'));
  return ids;
};

test('each way of typing a phone finds the order, and the header shows the contact', async () => {
  await (await app.$('orders-table')).waitForDisplayed();
  await until(async () => (await app.$$('order-row')).length >= 3, { timeout: 30000, message: 'three demo orders' });
  const target = await (await app.$$('order-row'))[2].getAttribute('data-order-id');
  await (await app.$$('order-row'))[2].click();
  const contact = await app.$('order-contact');
  await contact.waitForDisplayed({ timeout: 15000 });
  const phone = (await (await app.$('contact-phone')).getText()).trim();
  assert.match(phone, /^\d{9}$/, 'the demo stores national digits');
  assert.ok((await (await app.$('contact-name')).getText()).trim().length > 0, 'the name is in the header');
  assert.match(await (await app.$('contact-email')).getText(), /@/);

  await app.browser.execute(() => { window.location.hash = '#/orders'; });
  const spaced = `+966 ${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)}`;
  for (const typed of [phone, `0${phone}`, spaced]) {
    await typeInto('filter-text', typed);
    await until(async () => (await rowIds()).includes(target), { timeout: 15000, message: `${typed} to find ${target}` });
    const ids = await rowIds();
    assert.ok(ids.length >= 1 && ids.length <= 3, `${typed}: only the orders of that phone (${ids.length})`);
  }
  await app.screenshot('phone-search-international');
  await typeInto('filter-text', '');
});
