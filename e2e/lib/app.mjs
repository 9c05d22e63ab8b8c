// The harness: starts the real desktop app (`target/debug/mizan-app`) through tauri-driver +
// WebKitWebDriver and hands back a webdriverio session on its window.
//
// Invariants:
// - Every launch is isolated: its own temp dir holding MIZAN_DATA_DIR and the XDG data, cache
//   and config homes (WebKit writes its storage and Mesa its shader cache there), its own
//   keychain service name (so even a real keychain holds no token for it), and no MIZAN_*
//   variable inherited from the caller but those the test sets.
// - The app gets its environment from tauri-driver (tauri-driver → WebKitWebDriver → app), so
//   each launch starts its own tauri-driver, on free ports, with that environment.
// - `close()` ends the session and the driver, which tears down WebKitWebDriver and the app;
//   the temp dir is removed unless E2E_KEEP=1.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, openSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { remote } from 'webdriverio';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const appBin = process.env.MIZAN_APP_BIN ?? path.join(repoRoot, 'target', 'debug', 'mizan-app');
export const artifactsDir = process.env.E2E_ARTIFACTS ?? path.join(repoRoot, 'target', 'e2e-artifacts');

const execFileAsync = promisify(execFile);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now (the kernel picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const listening = (port) =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
    s.on('error', () => resolve(false));
  });

async function waitPort(port, child, what) {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (code ${child.exitCode}) before listening on ${port}`);
    if (await listening(port)) return;
    await sleep(100);
  }
  throw new Error(`${what} is not listening on ${port} after 15 s`);
}

/** Finds every live process below `root` (children first found breadth-first). */
export function descendants(root) {
  const parent = new Map();
  const names = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') continue; // zombies hold no memory
      parent.set(Number(entry), Number(fields[1]));
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // the process ended while we looked
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift();
    for (const [pid, ppid] of parent) {
      if (ppid === p) { out.push({ pid, name: names.get(pid) }); queue.push(pid); }
    }
  }
  return out;
}

/** Resident memory of one process in KiB: RSS and, where the kernel offers it, PSS. */
export function memoryKiB(pid) {
  const field = (text, name) => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  };
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let pss = null;
  try { pss = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'); } catch { /* older kernels */ }
  return { rss: field(status, 'VmRSS'), hwm: field(status, 'VmHWM'), pss };
}

/**
 * Starts the app. Options: `name` (for the temp dir and screenshots), `env` (extra variables,
 * e.g. MIZAN_DEMO_INTERVAL_MS), `dataDir` (reuse a prepared data dir instead of a fresh one).
 */
export async function launchApp({ name = 'app', env = {}, dataDir } = {}) {
  if (!existsSync(appBin)) {
    throw new Error(`${appBin} does not exist: build it with \`cargo build --workspace\` (after \`npm run build\` in ui/)`);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), `mizan-e2e-${name}-`));
  const dirs = {
    data: dataDir ?? path.join(tmp, 'data'),
    xdgData: path.join(tmp, 'xdg-data'),
    xdgCache: path.join(tmp, 'xdg-cache'),
    xdgConfig: path.join(tmp, 'xdg-config'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

  const childEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MIZAN_')) childEnv[k] = v;
  Object.assign(childEnv, {
    MIZAN_DATA_DIR: dirs.data,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    MIZAN_KEYCHAIN_SERVICE: `mizan-e2e-${path.basename(tmp)}`,
    MIZAN_OPERATOR: 'e2e',
    MIZAN_LOG: process.env.MIZAN_LOG ?? 'warn',
    ...env,
  });

  const [port, nativePort] = [await freePort(), await freePort()];
  const logPath = path.join(tmp, 'driver.log');
  const log = openSync(logPath, 'a');
  const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env: childEnv,
    stdio: ['ignore', log, log],
  });
  const driverLog = () => { try { return readFileSync(logPath, 'utf8').slice(-4000); } catch { return ''; } };
  const killDriver = async () => {
    if (driver.exitCode !== null || driver.signalCode !== null) return;
    const gone = new Promise((r) => driver.once('exit', r));
    driver.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (driver.exitCode === null && driver.signalCode === null) driver.kill('SIGKILL');
  };

  let browser;
  const launchedAt = Date.now();
  try {
    // tauri-driver opens its port before WebKitWebDriver opens the native one: wait for both.
    await waitPort(port, driver, 'tauri-driver');
    await waitPort(nativePort, driver, 'WebKitWebDriver');
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      connectionRetryCount: 0,
      // A command that hangs (the webview stopped answering) fails the test in a minute
      // instead of webdriverio's default two.
      connectionRetryTimeout: 60000,
      waitforTimeout: 15000,
      // pageLoadStrategy none: a click on a link to '#/orders' is a same-document navigation,
      // and WebKitWebDriver waits for a page load that never comes on Tauri's custom scheme
      // (every later command hangs). The tests wait for what they need to see instead.
      capabilities: { 'tauri:options': { application: appBin }, pageLoadStrategy: 'none' },
    });
  } catch (e) {
    await killDriver();
    throw new Error(`could not start the app: ${e.message}\n--- tauri-driver log ---\n${driverLog()}`);
  }
  const sessionAt = Date.now();

  const app = {
    browser,
    dirs,
    tmp,
    launchedAt,
    sessionAt,
    driverLog,
    /** The app process and its WebKit children (web, network processes). */
    processes() {
      const all = descendants(driver.pid);
      const appProc = all.find((p) => p.name.startsWith('mizan-app'));
      if (!appProc) return { app: null, children: [] };
      return { app: appProc, children: descendants(appProc.pid) };
    },
    /** Whether the webview still runs its JavaScript: a frozen page answers no command. */
    async responsive(ms = 10000) {
      const answer = await Promise.race([
        browser.execute(() => true).catch(() => false),
        sleep(ms).then(() => false),
      ]);
      return answer === true;
    },
    /** Clicks [data-testid=testId]; false when the click got no answer in `ms` (a click
     *  returns once the page handled it, so a page stuck in a loop never answers). */
    async clickWithin(testId, ms = 10000) {
      const el = await browser.$(`[data-testid="${testId}"]`);
      await el.waitForClickable({ timeout: 15000 });
      return Promise.race([el.click().then(() => true, () => false), sleep(ms).then(() => false)]);
    },
    /** Clicks [data-testid=testId] once it is clickable. */
    async click(testId) {
      const el = await browser.$(`[data-testid="${testId}"]`);
      await el.waitForClickable({ timeout: 15000 });
      await el.click();
    },
    $: (testId) => browser.$(`[data-testid="${testId}"]`),
    $$: (testId) => browser.$$(`[data-testid="${testId}"]`),
    /** A screenshot of the app's window into the artifacts dir, after a pause: WebKit paints
     *  the frame after the DOM change that the test waited for, and an immediate shot shows the
     *  previous one. Taken from the X display (ImageMagick's `import`), not with WebDriver's
     *  screenshot command: that one asks WebKit for a snapshot, which hangs once the page has
     *  changed when the webview paints without GPU compositing (the app's default without a
     *  GPU, as under Xvfb). The display also shows what a user would see. */
    async screenshot(label) {
      mkdirSync(artifactsDir, { recursive: true });
      await sleep(1000);
      const file = path.join(artifactsDir, `${name}-${label}.png`);
      const { x, y, width, height } = await browser.getWindowRect();
      await execFileAsync('import', ['-window', 'root', '-crop', `${width}x${height}+${x}+${y}`, '+repage', file],
        { timeout: 30000 }).catch((e) => {
        throw new Error(`screenshot ${label}: ImageMagick's import failed on DISPLAY=${process.env.DISPLAY ?? '(unset)'}: ${e.message}`);
      });
      return file;
    },
    async close() {
      // A frozen webview never answers the session's end: the driver is killed regardless.
      await Promise.race([browser.deleteSession().catch(() => undefined), sleep(10000)]);
      await killDriver();
      if (process.env.E2E_KEEP !== '1') {
        // The app's last writes (WebKit storage, Mesa's shader cache) may trail its exit.
        try { rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } catch { /* left in tmp */ }
      }
    },
  };
  return app;
}

/** Waits until `fn` returns a truthy value and returns it; the message says what never came. */
export async function until(fn, { timeout = 20000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(interval);
  }
}
