// The desktop app's benchmark (issue 5 §5), run by scripts/bench-app: the real app, started
// through WebDriver on a data dir that scripts/bench-app filled with BENCH_ORDERS orders, not in
// demo mode. It measures and prints against the targets:
//
// - launch → first paint, and launch → app-ready (the orders list's first page on screen).
//   "Launch" is the app process's exec time, read from /proc (10 ms resolution); "first paint"
//   is the webview's own first-contentful-paint entry (Paint Timing), placed on the same clock
//   through performance.timeOrigin; app-ready is the UI's `app-ready` performance mark when it
//   sets one, else the moment a WebDriver poll (every 20 ms) first saw [data-testid=app-ready].
// - the orders list's first page: with a fresh UI (the page reloaded on another screen, so no
//   cached page), from the click on Orders to the first row rendered.
// - a filter change (status): from the change to every rendered row having the new status.
// - scrolling 10,000 rows: from setting the list's scrollTop to the row at index 10,000
//   rendered with its data (not a loading placeholder), and that row being the right order.
// - the IPC command alone (orders_page, first page and filtered), timed in the page.
// - resident memory: the app process alone (RSS), and the app plus its WebKit child processes
//   (web content, network) three ways: PSS, which shares each shared page out among the
//   processes mapping it, so that the sum adds up (the figure held against the target); RSS
//   summed, which counts a shared library once per process; and distinct physical pages
//   (e2e/bench/pages.mjs, root only), which counts each page once but whole, even one shared
//   with the X server. Taken BENCH_SETTLE_MS (default 1000) after the scroll. With
//   BENCH_SMAPS_DIR set, each process's /proc/PID/smaps is saved there at that moment
//   (NAME.smaps), to see where it goes.
//
// UI-side times are taken inside the page with performance.now() and a requestAnimationFrame
// loop (a frame after the DOM change, i.e. when it can be painted), so WebDriver round trips do
// not count. Each UI figure is the median of several runs (BENCH_RUNS, default 5).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchApp, until, memoryKiB, sleep } from '../lib/app.mjs';
import { residentPagesMiB } from './pages.mjs';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DATA_DIR = process.env.BENCH_DATA_DIR;
const JSON_OUT = process.argv.includes('--json');
if (!DATA_DIR) {
  console.error('bench: BENCH_DATA_DIR (a data dir holding the seeded mizan.db) is required; run scripts/bench-app');
  process.exit(2);
}

// The memory target is 300 MB: 300,000,000 bytes, 286.1 MiB.
const TARGETS = { firstPaintMs: 1500, listMs: 100, filterMs: 100, memoryMiB: 300e6 / 2 ** 20 };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const log = (...a) => { if (!JSON_OUT) console.error(...a); };

/** The exec time of a process, in ms since the epoch (start time in clock ticks since boot,
 *  placed on the wall clock through /proc/uptime read at the same moment as Date.now()). */
function processStartEpochMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]); // field 22 of stat, counted from after comm
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const now = Date.now();
  const CLK_TCK = 100; // Linux's USER_HZ on every mainstream architecture
  return now - (uptimeS - startTicks / CLK_TCK) * 1000;
}

// A fake but well-formed JWT: the app leaves demo mode when the environment has an API token.
// It is never accepted anywhere: the API URL below is a closed loopback port.
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const FAKE_TOKEN = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'mizan-bench', sub: 'bench' })}.c2lnbmF0dXJl`;

async function main() {
  log(`bench: launching the app on ${DATA_DIR} (${ORDERS.toLocaleString('en')} orders)`);
  const app = await launchApp({
    name: 'bench',
    dataDir: DATA_DIR,
    env: {
      MIZAN_ENV: 'sandbox',
      MIZAN_SANDBOX_API_URL: 'http://127.0.0.1:9', // discard port: nothing listens, calls fail fast
      MIZAN_SANDBOX_API_TOKEN: FAKE_TOKEN,
      MIZAN_SANDBOX_NOTIFICATION_TOKEN: 'bench-notification-token-0123456789',
      // No reconciler sweeps against the dead API during the measurements.
      MIZAN_RECONCILE_EVERY_SECS: '0',
    },
  });
  const { browser } = app;
  const out = { orders: ORDERS, runs: RUNS, figures: {}, notes: [] };
  // A section that fails is noted and the next one runs, unless the webview stopped answering.
  const section = async (name, fn) => {
    try {
      await fn();
    } catch (e) {
      out.notes.push(`${name}: not measured: ${e.message.split('\n')[0]}`);
      if (!(await app.responsive(15000))) throw new Error(`the webview stopped answering during "${name}"`);
    }
  };
  try {
    // --- launch: first paint and app-ready -----------------------------------------------
    const proc = await until(() => app.processes().app, { message: 'the mizan-app process' });
    const startedAt = processStartEpochMs(proc.pid);
    let readySeen = null;
    await until(async () => {
      const ready = await browser.execute(() => !!document.querySelector('[data-testid="app-ready"]'));
      if (ready) readySeen = Date.now();
      return ready;
    }, { timeout: 120000, interval: 20, message: 'app-ready' });
    const perf = await browser.execute(() => ({
      timeOrigin: performance.timeOrigin,
      paint: performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]),
      marks: performance.getEntriesByType('mark').map((e) => [e.name, e.startTime]),
      badge: document.querySelector('[data-testid="env-badge"]')?.textContent ?? null,
    }));
    if (perf.badge && /demo/i.test(perf.badge)) throw new Error(`the app is in demo mode (badge ${perf.badge}): it must read the seeded data dir`);
    const paint = Object.fromEntries(perf.paint);
    const marks = Object.fromEntries(perf.marks);
    const fcp = paint['first-contentful-paint'] ?? paint['first-paint'];
    if (fcp !== undefined) {
      out.figures.firstPaintMs = perf.timeOrigin + fcp - startedAt;
      out.figures.firstPaintMethod = `Paint Timing ${paint['first-contentful-paint'] !== undefined ? 'first-contentful-paint' : 'first-paint'} - process exec time`;
    } else {
      out.notes.push('the webview reported no Paint Timing entry: first paint not measured');
    }
    out.figures.webviewStartMs = perf.timeOrigin - startedAt; // exec → the page's navigation start
    if (marks['app-ready'] !== undefined) {
      out.figures.appReadyMs = perf.timeOrigin + marks['app-ready'] - startedAt;
      out.figures.appReadyMethod = 'performance mark app-ready - process exec time';
    } else {
      out.figures.appReadyMs = readySeen - startedAt;
      out.figures.appReadyMethod = 'WebDriver poll (20 ms) saw [data-testid=app-ready] - process exec time';
    }
    out.figures.sessionMs = app.sessionAt - app.launchedAt;
    out.figures.startMemory = memoryLine(app);

    // The in-page tools: wait for a predicate on each animation frame.
    await browser.execute(() => {
      window.__bench = {
        frame: () => new Promise((r) => requestAnimationFrame(() => r())),
        async until(pred, timeout = 30000) {
          const t0 = performance.now();
          for (;;) {
            const v = pred();
            if (v) return v;
            if (performance.now() - t0 > timeout) throw new Error('bench: timed out in page');
            await window.__bench.frame();
          }
        },
        rows: () => [...document.querySelectorAll('[data-testid="order-row"]')],
      };
    });

    // --- total shown ----------------------------------------------------------------------
    out.figures.totalShown = await browser.execute(() => document.querySelector('[data-testid="orders-total"]')?.textContent?.trim() ?? null);

    // --- IPC alone ------------------------------------------------------------------------
    const ipc = async (query) => browser.execute(async (q) => {
      const invoke = window.__TAURI_INTERNALS__.invoke;
      const t0 = performance.now();
      const page = await invoke('orders_page', { query: q });
      return { ms: performance.now() - t0, rows: page.rows?.length ?? page.data?.rows?.length, total: page.total ?? page.data?.total };
    }, query);
    const base = { statuses: [], currency: null, reference: null, text: null, created_from: null, created_to: null, amount_min: null, amount_max: null, offset: 0, limit: 100 };
    try {
      const ipcFirst = [];
      const ipcFilter = [];
      for (let i = 0; i < RUNS; i++) {
        ipcFirst.push((await ipc(base)).ms);
        ipcFilter.push((await ipc({ ...base, statuses: ['authorised'], offset: 100 * i })).ms);
      }
      out.figures.ipcFirstPageMs = median(ipcFirst);
      out.figures.ipcFilterMs = median(ipcFilter);
      out.figures.ipcDeepPageMs = (await ipc({ ...base, offset: 10000 })).ms;
    } catch (e) {
      out.notes.push(`IPC timing skipped: ${e.message}`);
    }

    // --- the first page of the list, with a fresh UI ----------------------------------------
    await section('first page', async () => {
      const firstPage = [];
      for (let i = 0; i < RUNS; i++) {
        // replaceState, not location.hash: no fragment navigation on the live page (one froze
        // the UI while the orders list was shown, when this was written); the reload then
        // opens on Settings with nothing cached.
        await browser.execute(() => { history.replaceState(null, '', '#/settings'); });
        await browser.refresh();
        await (await app.$('nav-orders')).waitForClickable({ timeout: 30000 });
        await sleep(300); // let the reloaded page settle before timing
        await browser.execute(() => {
          window.__bench = window.__bench ?? {};
          window.__bench.frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        });
        firstPage.push(await browser.execute(async () => {
          const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
          const t0 = performance.now();
          document.querySelector('[data-testid="nav-orders"]').click();
          while (!document.querySelector('[data-testid="order-row"]')) {
            if (performance.now() - t0 > 30000) throw new Error('no order row in 30 s');
            await frame();
          }
          await frame();
          return performance.now() - t0;
        }));
      }
      out.figures.listFirstPageMs = median(firstPage);
      // The reloads dropped the in-page tools: install them again.
      await browser.execute(() => {
        window.__bench = {
          frame: () => new Promise((r) => requestAnimationFrame(() => r())),
        };
      });
    });

    // --- scrolling 10,000 rows --------------------------------------------------------------
    await section('scroll', async () => {
      const scroll = await browser.execute(async (target) => {
        const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        const table = document.querySelector('[data-testid="orders-table"]');
        const scroller = (() => {
          for (let el = table; el; el = el.parentElement) {
            const o = getComputedStyle(el).overflowY;
            if ((o === 'auto' || o === 'scroll') && el.scrollHeight > el.clientHeight) return el;
          }
          return null;
        })();
        if (!scroller) throw new Error('no scrollable list');
        const row = document.querySelector('[data-testid="order-row"]');
        const h = row.getBoundingClientRect().height;
        // seed-orders numbers orders newest first: row i of the unfiltered list is SEED-i.
        const expectedRef = `SEED-${String(target).padStart(7, '0')}`;
        const t0 = performance.now();
        scroller.scrollTop = target * h;
        let el;
        while (!(el = document.querySelector(`[data-testid="order-row"][data-index="${target}"]`))) {
          if (performance.now() - t0 > 30000) throw new Error(`row ${target} never rendered`);
          await frame();
        }
        await frame();
        const ms = performance.now() - t0;
        return { ms, rowHeight: h, text: el.textContent, expectedRef, rightRow: el.textContent.includes(expectedRef) };
      }, 10000);
      out.figures.scroll10kMs = scroll.ms;
      if (!scroll.rightRow) out.notes.push(`row 10,000 shows "${scroll.text.slice(0, 80)}", expected ${scroll.expectedRef}`);

      // A smooth scroll over the same distance: 100 frames of 100 rows, each waiting for a frame;
      // the longest frame says whether it stutters.
      const smooth = await browser.execute(async (rowHeight) => {
        const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        const scroller = document.querySelector('[data-testid="orders-table"]');
        scroller.scrollTop = 0;
        await frame(); await frame();
        let worst = 0; let prev = performance.now(); const t0 = prev;
        for (let i = 1; i <= 100; i++) {
          scroller.scrollTop = i * 100 * rowHeight;
          await frame();
          const now = performance.now();
          worst = Math.max(worst, now - prev);
          prev = now;
        }
        return { totalMs: performance.now() - t0, worstFrameMs: worst };
      }, scroll.rowHeight);
      out.figures.smoothScrollTotalMs = smooth.totalMs;
      out.figures.smoothScrollWorstFrameMs = smooth.worstFrameMs;
    });

    // --- memory ----------------------------------------------------------------------------
    await sleep(Number(process.env.BENCH_SETTLE_MS ?? 1000));
    const { app: appProc, children } = app.processes();
    const own = memoryKiB(appProc.pid);
    let rss = own.rss; let pss = own.pss ?? 0;
    const parts = [`mizan-app ${(own.rss / 1024).toFixed(0)} MiB`];
    for (const c of children) {
      try {
        const m = memoryKiB(c.pid);
        rss += m.rss; pss += m.pss ?? 0;
        parts.push(`${c.name} ${(m.rss / 1024).toFixed(0)} MiB`);
      } catch { /* gone */ }
    }
    if (process.env.BENCH_SMAPS_DIR) {
      for (const p of [appProc, ...children]) {
        const to = path.join(process.env.BENCH_SMAPS_DIR, `${p.name}.smaps`);
        try { writeFileSync(to, readFileSync(`/proc/${p.pid}/smaps`, 'utf8')); } catch (e) { console.error(`bench: ${to}: ${e.message}`); }
      }
    }
    out.figures.rssAppMiB = own.rss / 1024;
    out.figures.rssAppPeakMiB = own.hwm / 1024;
    out.figures.rssAllMiB = rss / 1024;
    out.figures.pssAllMiB = pss / 1024;
    out.figures.pagesAllMiB = residentPagesMiB([appProc.pid, ...children.map((c) => c.pid)]) ?? undefined;
    out.figures.processes = parts.join(', ');
    await app.screenshot('orders-1m');

    // --- a filter change: status (last: should it freeze the webview, the rest is measured) --
    await section('filter change', async () => {
      const filterTimes = [];
      for (const status of ['authorised', 'fully_refunded', 'approved', 'canceled', 'partially_captured'].slice(0, RUNS)) {
        filterTimes.push(await browser.execute(async (wanted) => {
          const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
          const root = document.querySelector('[data-testid="filter-status"]');
          if (!root) throw new Error('no filter-status control');
          const t0 = performance.now();
          // Clear any status chosen before and choose `wanted`, whatever the control is made of.
          if (root instanceof HTMLSelectElement) {
            for (const o of root.options) o.selected = o.value === wanted;
            root.dispatchEvent(new Event('change', { bubbles: true }));
          } else {
            const boxes = [...root.querySelectorAll('input[type=checkbox], [role=checkbox], [aria-pressed], button[data-status], [data-value]')];
            const valueOf = (el) => el.value ?? el.dataset.status ?? el.dataset.value;
            for (const el of boxes) {
              const v = el.getAttribute('value') ?? el.dataset.status ?? el.dataset.value;
              const on = el.checked ?? (el.getAttribute('aria-checked') === 'true' || el.getAttribute('aria-pressed') === 'true');
              if ((v === wanted) !== !!on) el.click();
            }
            void valueOf;
          }
          const ok = () => {
            const rows = [...document.querySelectorAll('[data-testid="order-row"]')];
            return rows.length > 0 && rows.every((r) => r.querySelector(`[data-status="${wanted}"]`));
          };
          while (!ok()) {
            if (performance.now() - t0 > 30000) throw new Error(`rows never all ${wanted}`);
            await frame();
          }
          await frame();
          return performance.now() - t0;
        }, status));
      }
      out.figures.filterMs = median(filterTimes);
      // Back to no filter, for the scroll.
      await browser.execute(() => {
        const root = document.querySelector('[data-testid="filter-status"]');
        if (root instanceof HTMLSelectElement) {
          for (const o of root.options) o.selected = false;
          root.dispatchEvent(new Event('change', { bubbles: true }));
        } else {
          for (const el of root.querySelectorAll('input[type=checkbox], [role=checkbox], [aria-pressed]')) {
            const on = el.checked ?? (el.getAttribute('aria-checked') === 'true' || el.getAttribute('aria-pressed') === 'true');
            if (on) el.click();
          }
        }
      });
      await until(async () => browser.execute(() => {
        const rows = [...document.querySelectorAll('[data-testid="order-row"]')];
        return rows.length > 0 && new Set(rows.map((r) => r.querySelector('[data-status]')?.dataset.status)).size > 1;
      }), { message: 'the unfiltered list back' });
    });

  } catch (e) {
    out.notes.push(`aborted: ${e.message.split('\n')[0]}`);
    process.exitCode = 1;
  } finally {
    await Promise.race([app.close(), sleep(20000)]);
  }
  report(out);
}

/** RSS of the app and of each WebKit child, in one line. */
function memoryLine(app) {
  const { app: appProc, children } = app.processes();
  return [appProc, ...children].map((p) => {
    try { return `${p.name} ${(memoryKiB(p.pid).rss / 1024).toFixed(0)} MiB`; } catch { return `${p.name} gone`; }
  }).join(', ');
}

function report(out) {
  if (JSON_OUT) { console.log(JSON.stringify(out, null, 2)); return; }
  const f = out.figures;
  const ms = (v) => (v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);
  const mib = (v) => (v === undefined ? 'n/a' : `${v.toFixed(0)} MiB`);
  const verdict = (v, limit) => (v === undefined ? '  -  ' : v < limit ? 'PASS' : 'MISS');
  const lines = [
    ['launch → first paint', ms(f.firstPaintMs), '< 1500 ms', verdict(f.firstPaintMs, TARGETS.firstPaintMs)],
    ['launch → app-ready (first page shown)', ms(f.appReadyMs), '', ''],
    ['orders list: first page (fresh UI, click → rows)', ms(f.listFirstPageMs), '< 100 ms', verdict(f.listFirstPageMs, TARGETS.listMs)],
    ['orders list: filter change (status → rows)', ms(f.filterMs), '< 100 ms', verdict(f.filterMs, TARGETS.filterMs)],
    ['orders list: scroll 10,000 rows (jump → row rendered)', ms(f.scroll10kMs), '', ''],
    ['  smooth scroll 10,000 rows in 100 frames: total', ms(f.smoothScrollTotalMs), '', ''],
    ['  smooth scroll: longest frame', ms(f.smoothScrollWorstFrameMs), '', ''],
    ['IPC orders_page: first page', ms(f.ipcFirstPageMs), '', ''],
    ['IPC orders_page: status filter', ms(f.ipcFilterMs), '', ''],
    ['IPC orders_page: offset 10,000', ms(f.ipcDeepPageMs), '', ''],
    ['resident memory: app process (RSS)', mib(f.rssAppMiB), '< 300 MB', verdict(f.rssAppMiB, TARGETS.memoryMiB)],
    ['resident memory: app + WebKit processes (PSS)', mib(f.pssAllMiB), '< 300 MB', verdict(f.pssAllMiB, TARGETS.memoryMiB)],
    ['  the same as RSS summed (shared libraries once per process)', mib(f.rssAllMiB), '', ''],
    ['  the same as distinct pages (shared ones counted whole)', mib(f.pagesAllMiB), '', ''],
  ];
  console.log(`\nMizan desktop app, ${out.orders.toLocaleString('en')} cached orders (median of ${out.runs} runs where repeated)`);
  console.log(`orders-total shows: ${f.totalShown}`);
  for (const [name, v, target, ok] of lines) console.log(`${name.padEnd(62)} ${v.padStart(9)}  ${target.padEnd(10)} ${ok}`);
  console.log(`memory target: 300 MB = ${TARGETS.memoryMiB.toFixed(1)} MiB (the figures are MiB)`);
  console.log(`\nfirst paint: ${f.firstPaintMethod ?? 'n/a'}; app-ready: ${f.appReadyMethod}`);
  console.log(`exec → webview navigation start: ${ms(f.webviewStartMs)}; WebDriver session setup: ${ms(f.sessionMs)}`);
  console.log(`memory at app-ready: ${f.startMemory}`);
  console.log(`memory after the list, scroll: ${f.processes}`);
  for (const n of out.notes) console.log(`note: ${n}`);
}

main().catch((e) => {
  console.error(`bench: ${e.stack ?? e}`);
  process.exit(1);
});
