// Issue 21 §6: the attention queue helps act. A row shows the money at stake and the customer,
// offers the move its reason calls for in the order's own move dialog, and in Arabic no UI
// text on it is English (identifiers, amounts, currency codes and customer names are data).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp, until } from '../lib/app.mjs';

let app;

before(async () => {
  app = await launchApp({ name: 'attention', env: { MIZAN_DEMO_INTERVAL_MS: '300' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

const click = (testId) => app.click(testId);

/** The text of each deadline row with its data (reference, amount, customer) taken out. */
const uiTextOfRows = () =>
  app.browser.execute(() =>
    [...document.querySelectorAll('[data-testid="attention-item"]')].map((li) => {
      const copy = li.cloneNode(true);
      for (const data of copy.querySelectorAll('[data-testid="attention-reference"], [data-testid="attention-amount"], [data-testid="attention-customer"]')) data.remove();
      return copy.textContent;
    }),
  );

test('a queue row shows amount and customer, and captures through the move dialog', async () => {
  await click('orders-tab-attention');
  await until(async () => (await app.browser.$('[data-testid="attention-item"][data-reason="authorised_not_captured"]')).isExisting(), {
    timeout: 45000,
    message: 'an authorised order waiting for capture',
  });
  const row = await app.browser.$('[data-testid="attention-item"][data-reason="authorised_not_captured"]');
  const amount = await row.$('[data-testid="attention-amount"]');
  assert.match(await amount.getAttribute('data-amount'), /^\d+\.\d{2,3}$/, 'the amount left to capture, exact');
  assert.match(await amount.getText(), /(SAR|AED|KWD|BHD|QAR|OMR)/);
  const customer = (await (await row.$('[data-testid="attention-customer"]')).getText()).trim();
  assert.ok(customer.length > 0 && customer !== 'Customer unknown', `a customer name (${customer})`);
  assert.match(await (await row.$('[data-testid="time-left"]')).getText(), /^(\d+ days|\d+ h \d+ min|\d+ min) left$/);
  await app.screenshot('attention-row');

  await (await row.$('[data-testid="attention-capture"]')).click();
  const dialog = await app.$('move-dialog');
  await dialog.waitForDisplayed({ timeout: 15000 });
  assert.match(await dialog.getText(), /Capture/);
  await app.browser.keys('Escape');
  await until(async () => !(await dialog.isExisting()), { message: 'the dialog to close on Escape' });
});

test('in Arabic the queue says nothing in English', async () => {
  await click('lang-toggle');
  const html = await app.browser.$('html');
  await until(async () => (await html.getAttribute('lang')) === 'ar', { message: '<html lang="ar">' });
  await until(async () => (await app.$$('attention-item')).length > 0, { message: 'the queue in Arabic' });
  for (const text of await uiTextOfRows()) {
    const left = text.replace(/[\d.,:]+/g, '');
    assert.doesNotMatch(left, /[A-Za-z]{2,}/, `English on an attention row: ${text}`);
  }
  await app.screenshot('attention-arabic');
  await click('lang-toggle');
  await until(async () => (await html.getAttribute('lang')) === 'en', { message: '<html lang="en">' });
});
