// The benchmark's distinct-pages memory figure (e2e/bench/pages.mjs), on real processes: two
// node processes share their libraries' pages, so counted once they come to less than their
// RSS summed, and a process listed twice counts once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { residentPagesMiB } from '../bench/pages.mjs';
import { memoryKiB } from '../lib/app.mjs';

async function idleNode() {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("ready"); setInterval(() => {}, 1000)']);
  await once(child.stdout, 'data');
  return child;
}

test('distinct pages count shared pages once, and a process listed twice once', async (t) => {
  const [a, b] = [await idleNode(), await idleNode()];
  t.after(() => { a.kill(); b.kill(); });

  const one = residentPagesMiB([a.pid]);
  if (process.getuid?.() !== 0) {
    // Page frame numbers are root's to see: without them the figure is refused, not guessed.
    assert.equal(one, null);
    return;
  }
  const rssA = memoryKiB(a.pid).rss / 1024;
  const rssB = memoryKiB(b.pid).rss / 1024;
  assert.ok(one > 0.9 * rssA && one < 1.1 * rssA, `one idle process: ${one} MiB of pages, RSS ${rssA} MiB`);
  const twice = residentPagesMiB([a.pid, a.pid]);
  assert.ok(Math.abs(twice - one) < 0.5, `listed twice: ${twice} MiB against ${one} MiB`);
  const both = residentPagesMiB([a.pid, b.pid]);
  assert.ok(both > Math.max(rssA, rssB) * 0.9, `both: ${both} MiB`);
  assert.ok(both < 0.9 * (rssA + rssB), `both: ${both} MiB, RSS summed ${rssA + rssB} MiB`);
});

test('a process that is gone gives no figure', () => {
  assert.equal(residentPagesMiB([2 ** 22 + 12345]), null);
});
