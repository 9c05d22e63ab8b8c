// The newcomer's walk through the demo (issue 5 §4), in the real app on the built-in sandbox:
// an order arrives by itself; it is captured in part and refunded in part from the order
// screen, the amounts and the timeline follow; an over-refund is refused with the core's code
// and a clear message and changes nothing; an orders CSV is exported to a typed path; the UI
// switches to Arabic, right to left.
//
// The steps share one app session and run in order (node:test runs a file's tests one after
// another); each step asserts what the previous one left.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { launchApp, until, sleep } from '../lib/app.mjs';
import { parseAmount, formatAmount } from '../lib/money.mjs';

let app;
const s = {}; // what the steps hand each other: the order, its amounts

before(async () => {
  app = await launchApp({ name: 'demo', env: { MIZAN_DEMO_INTERVAL_MS: '300' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

const text = async (testId) => (await (await app.$(testId)).getText()).trim();
const amount = async (testId) => parseAmount(await text(testId));
const rowIds = async () => {
  const rows = await app.$$('order-row');
  const ids = [];
  for (const r of rows) ids.push(await r.getAttribute('data-order-id'));
  return ids;
};

async function typeInto(testId, value) {
  const el = await app.$(testId);
  await el.waitForDisplayed();
  await el.clearValue();
  await el.setValue(value);
}

async function click(testId) {
  const el = await app.$(testId);
  await el.waitForClickable({ timeout: 15000 });
  await el.click();
}

/** Opens the move dialog of `kind`, fills it, checks the exact request it shows and sends it.
 *  Returns the preview text. Leaves the dialog open when the app refuses (move-error). */
async function move(kind, { amountText, comment }) {
  await click(`action-${kind}`);
  if (amountText !== undefined) await typeInto('move-amount', amountText);
  if (comment !== undefined) await typeInto('move-comment', comment);
  const preview = await app.$('move-preview');
  await preview.waitForDisplayed();
  // The preview follows what was typed: wait for the amount to show in the request body.
  if (amountText !== undefined) {
    await until(async () => (await preview.getText()).includes(amountText), {
      message: `the request preview to show ${amountText}`,
    });
  }
  const previewText = await preview.getText();
  await click('move-submit');
  return previewText;
}

async function closeDialog() {
  await app.browser.keys('Escape');
  await until(async () => !(await (await app.$('move-submit')).isExisting()), {
    message: 'the move dialog to close',
  });
}

test('demo mode: an order arrives by itself in the orders list', async () => {
  assert.equal(await text('env-badge'), 'DEMO');
  await click('nav-orders');
  await (await app.$('orders-table')).waitForDisplayed();
  const first = await rowIds();
  // The traffic generator keeps creating checkouts: a row appears that was not there at first.
  const arrived = await until(async () => (await rowIds()).find((id) => !first.includes(id)), {
    timeout: 30000,
    message: 'a new order row from the demo traffic',
  });
  assert.ok(arrived);
  assert.match(await text('orders-total'), /[1-9]/, 'the total counts the arrivals');
  await app.screenshot('orders-arriving');
});

test('an approved or authorised order opens with its amounts and capture enabled', async () => {
  // Find an order the demo left uncaptured (authorised, or approved and not yet authorised).
  const pick = await until(async () => {
    for (const row of await app.$$('order-row')) {
      const t = (await row.getText()).toLowerCase();
      if (/\bauthori[sz]ed\b|\bapproved\b/.test(t)) return row.getAttribute('data-order-id');
    }
    return null;
  }, { timeout: 60000, message: 'an approved or authorised order in the list' });
  // Stop the generator so it does not move this order while the test does.
  await click('demo-traffic-toggle');
  s.orderId = pick;
  await (await app.browser.$(`[data-testid="order-row"][data-order-id="${pick}"]`)).click();
  await (await app.$('order-detail')).waitForDisplayed();

  // An approved order is authorised first (that is also a move through the dialog).
  const authorise = await app.$('action-authorise');
  if ((await authorise.isExisting()) && (await authorise.isEnabled())) {
    await move('authorise', {});
    await (await app.$('move-done')).waitForDisplayed({ timeout: 20000 });
    await closeDialog();
  }
  await until(async () => /authori[sz]ed/i.test(await text('order-status')), {
    message: 'the order to be authorised',
  });
  const authorised = await amount('amount-authorised');
  s.dp = authorised.dp;
  s.authorised = authorised.minor;
  assert.ok(s.authorised > 0n, 'authorised amount is positive');
  assert.equal((await amount('amount-captured')).minor, 0n);
  assert.equal((await amount('amount-refunded')).minor, 0n);
  assert.ok(await (await app.$('action-capture')).isEnabled(), 'capture is allowed');
  assert.ok(!(await (await app.$('action-refund')).isEnabled()), 'nothing to refund yet');
});

test('capture part: the request is shown first, then the amounts and the timeline follow', async () => {
  const timelineBefore = (await app.$$('timeline-entry')).length;
  s.captured = s.authorised / 2n; // half, exact in minor units
  const amountText = formatAmount(s.captured, s.dp);
  const preview = await move('capture', { amountText });
  assert.match(preview, /capture/i, 'the preview names the capture request');
  assert.match(preview, new RegExp(s.orderId), 'the preview names the order');
  await (await app.$('move-done')).waitForDisplayed({ timeout: 20000 });
  await closeDialog();
  await until(async () => (await amount('amount-captured')).minor === s.captured, {
    message: `captured to read ${amountText}`,
  });
  await until(async () => /partially_captured|partially captured/i.test(await text('order-status')), {
    message: 'the status to be partially captured',
  });
  await until(async () => (await app.$$('timeline-entry')).length > timelineBefore, {
    message: 'a new timeline entry for the capture',
  });
  assert.ok(await (await app.$('action-refund')).isEnabled(), 'refund is now allowed');
  await app.screenshot('captured-part');
});

test('refund part of the capture: refunded amount and timeline update', async () => {
  const timelineBefore = (await app.$$('timeline-entry')).length;
  s.refunded = s.captured / 2n;
  const amountText = formatAmount(s.refunded, s.dp);
  const preview = await move('refund', { amountText, comment: 'e2e: customer returned one item' });
  assert.match(preview, /refund/i);
  await (await app.$('move-done')).waitForDisplayed({ timeout: 20000 });
  await closeDialog();
  await until(async () => (await amount('amount-refunded')).minor === s.refunded, {
    message: `refunded to read ${amountText}`,
  });
  assert.equal((await amount('amount-captured')).minor, s.captured, 'captured is unchanged');
  await until(async () => (await app.$$('timeline-entry')).length > timelineBefore, {
    message: 'a new timeline entry for the refund',
  });
  const timeline = (await text('timeline')).toLowerCase();
  assert.match(timeline, /capture/);
  assert.match(timeline, /refund/);
  await app.screenshot('refunded-part');
});

test('an over-refund is refused with its code and a clear message, and changes nothing', async () => {
  const refundable = s.captured - s.refunded;
  const tooMuch = formatAmount(refundable + 1n, s.dp); // one minor unit too many
  await move('refund', { amountText: tooMuch, comment: 'e2e: more than was captured' });
  const err = await app.$('move-error');
  await err.waitForDisplayed({ timeout: 15000 });
  assert.equal(await err.getAttribute('data-code'), 'amount_exceeds_refundable');
  const message = await err.getText();
  assert.match(message, /refund/i, 'the message says what was refused');
  assert.ok(message.includes(formatAmount(refundable, s.dp)), `the message names what is refundable: ${message}`);
  assert.ok(!(await (await app.$('move-done')).isExisting()), 'no success shown');
  await app.screenshot('over-refund-refused');
  await closeDialog();
  // Nothing moved.
  await sleep(500);
  assert.equal((await amount('amount-refunded')).minor, s.refunded);
  assert.equal((await amount('amount-captured')).minor, s.captured);
});

test('export an orders CSV to a typed path: header and rows', async () => {
  await click('nav-exports');
  const kind = await app.$('export-kind');
  await kind.waitForDisplayed();
  await kind.selectByAttribute('value', 'orders');
  const file = path.join(app.tmp, 'exports', 'orders.csv');
  await typeInto('export-path', file);
  await click('export-run');
  await (await app.$('export-done')).waitForDisplayed({ timeout: 30000 });
  await until(() => existsSync(file), { message: `${file} to exist` });
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  assert.equal(
    lines[0].split(',').slice(0, 5).join(','),
    'environment,tamara_order_id,order_reference_id,order_number,status',
  );
  assert.ok(lines.length >= 2, 'at least one order row');
  const ours = lines.find((l) => l.includes(s.orderId));
  assert.ok(ours, 'the order moved above is in the export');
  assert.ok(ours.includes(formatAmount(s.captured, s.dp)), `its captured amount is exported: ${ours}`);
  await app.screenshot('export-done');
});

test('switch to Arabic: right-to-left, and back', async () => {
  const html = await app.browser.$('html');
  await click('lang-toggle');
  await until(async () => (await html.getAttribute('dir')) === 'rtl', { message: '<html dir="rtl">' });
  assert.equal(await html.getAttribute('lang'), 'ar');
  await click('nav-orders');
  await (await app.$('orders-table')).waitForDisplayed();
  await app.screenshot('arabic-orders');
  await click('lang-toggle');
  await until(async () => (await html.getAttribute('dir')) !== 'rtl', { message: '<html dir="ltr">' });
  assert.equal(await html.getAttribute('lang'), 'en');
});
