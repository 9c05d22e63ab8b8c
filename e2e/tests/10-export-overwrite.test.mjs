// Issue 21: an export never replaces a file without asking. Exporting twice to the same path:
// the second asks, naming the file and its .totals.csv; declining leaves both byte for byte;
// confirming replaces both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { launchApp, until, sleep } from '../lib/app.mjs';

let app;

before(async () => {
  app = await launchApp({ name: 'export-overwrite', env: { MIZAN_DEMO_INTERVAL_MS: '500' } });
  await (await app.$('app-ready')).waitForExist({ timeout: 30000 });
});
after(async () => {
  await app?.close();
});

const click = (testId) => app.click(testId);

async function typeInto(testId, value) {
  const el = await app.$(testId);
  await el.waitForDisplayed();
  await el.click();
  await app.browser.keys(['Control', 'a']);
  await app.browser.keys('Backspace');
  await el.addValue(value);
  await until(async () => (await el.getValue()) === value, { message: `${testId} to hold ${value}` });
}

async function exportDone() {
  const done = await app.$('export-done');
  const failed = await app.$('error-state');
  await until(async () => (await done.isExisting()) || (await failed.isExisting()), { timeout: 30000, message: 'the export to finish' });
  if (await failed.isExisting()) assert.fail(`the export failed: ${await failed.getText()}`);
}

test('a second export to the same path asks; declining keeps both files, confirming replaces both', async () => {
  const file = path.join(app.tmp, 'settlement.csv');
  const totals = path.join(app.tmp, 'settlement.totals.csv');
  await click('nav-exports');
  const kind = await app.$('export-kind');
  await kind.waitForDisplayed();
  await kind.selectByAttribute('value', 'settlement');
  await typeInto('export-path', file);
  await click('export-run');
  await exportDone();
  assert.ok(existsSync(file) && existsSync(totals), 'the settlement and its totals were written');

  // Yesterday's files, recognisable byte for byte.
  const oldMain = Buffer.from('yesterday,settlement\r\n1,2\r\n');
  const oldTotals = Buffer.from('yesterday,totals\r\n');
  writeFileSync(file, oldMain);
  writeFileSync(totals, oldTotals);

  await click('export-run');
  const dialog = await app.$('export-replace-dialog');
  await dialog.waitForDisplayed({ timeout: 15000 });
  const named = await (await app.$('export-replace-files')).getText();
  assert.ok(named.includes(file), `the dialog names ${file}: ${named}`);
  assert.ok(named.includes(totals), `the dialog names ${totals}: ${named}`);
  await app.screenshot('replace-asked');
  await click('export-replace-keep');
  await until(async () => !(await dialog.isExisting()), { message: 'the dialog to close' });
  await sleep(1000);
  assert.ok(!(await (await app.$('export-done')).isExisting()), 'no export ran');
  assert.deepEqual(readFileSync(file), oldMain, 'declining left the file byte for byte');
  assert.deepEqual(readFileSync(totals), oldTotals, 'declining left the totals byte for byte');

  await click('export-run');
  await (await app.$('export-replace-dialog')).waitForDisplayed({ timeout: 15000 });
  await click('export-replace-confirm');
  await exportDone();
  assert.ok(readFileSync(file, 'utf8').startsWith('environment,'), 'the file was replaced');
  assert.ok(readFileSync(totals, 'utf8').startsWith('environment,'), 'the totals were replaced');
});
