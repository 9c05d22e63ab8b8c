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

/** The rows drawn now, read in one go (the live list may redraw between two reads). */
const rows = () =>
  app.browser.execute(() =>
    [...document.querySelectorAll('[data-testid="order-row"]')].map((r) => ({ id: r.getAttribute('data-order-id'), text: r.textContent })),
  );
const rowIds = async () => (await rows()).map((r) => r.id);

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
  const onlyThatPhone = async () => {
    const shown = await rows();
    return shown.length > 0 && shown.some((r) => r.id === target) && shown.every((r) => r.text.includes(phone));
  };
  for (const typed of [phone, `0${phone}`, spaced]) {
    // From the whole list (other phones in view) to the search, so each format proves itself.
    await typeInto('filter-text', '');
    await until(async () => !(await onlyThatPhone()), { timeout: 15000, message: 'the unfiltered list' });
    await typeInto('filter-text', typed);
    await until(onlyThatPhone, { timeout: 15000, message: `${typed} to find ${target} and only orders of ${phone}` });
  }
  await app.screenshot('phone-search-international');
  await typeInto('filter-text', '');
});
