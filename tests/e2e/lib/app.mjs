// Starts the real Casebridge window for one spec and gives it a small API.
//
// Each launch gets its own tauri-driver (on free ports) and its own empty data
// directory, so specs never see each other's data and a spec file can run on
// its own:  CASEBRIDGE_APP=target/debug/casebridge-desktop \
//             tests/e2e/desktop-session.sh node --test tests/e2e/specs/navigation.test.mjs
//
// Environment:
//   CASEBRIDGE_APP            the app binary, built with `--features custom-protocol` (required)
//   CASEBRIDGE_E2E_ARTIFACTS  where screenshots go (default: <repo>/test-artifacts/e2e)
//   TAURI_DRIVER              the tauri-driver binary (default: from PATH)
// tauri-driver's and the app's output go to <artifacts>/<spec>.log.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebDriver, WebDriverTimeout, elementRef } from './webdriver.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const artifactsDir = process.env.CASEBRIDGE_E2E_ARTIFACTS ?? path.join(repoRoot, 'test-artifacts/e2e');

// How long the window may take to come up. A cold start under Xvfb takes a few
// seconds, more on a busy 2-core machine; a session that has not come by then
// will not come (the app quit or hung), and without a bound the suite would
// wait for ever. CASEBRIDGE_E2E_SESSION_TIMEOUT_MS overrides it.
const SESSION_TIMEOUT_MS = Number(process.env.CASEBRIDGE_E2E_SESSION_TIMEOUT_MS) || 90_000;

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

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

// Waits for WebKitWebDriver (native port) before asking tauri-driver: asked
// earlier, tauri-driver answers with a connection error and a backtrace.
async function waitForDriver(driver, child, ports, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with code ${child.exitCode} before it was ready`);
    const up = await Promise.all(ports.map(canConnect));
    if (up.every(Boolean)) return driver.request('GET', '/status', undefined, { timeoutMs });
    if (Date.now() > deadline) throw new Error(`tauri-driver did not listen on ports ${ports} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function preflight() {
  const app = process.env.CASEBRIDGE_APP;
  if (!app) throw new Error('CASEBRIDGE_APP is not set: point it at the desktop binary (make test-e2e does).');
  if (!existsSync(app)) throw new Error(`CASEBRIDGE_APP=${app} does not exist: build it with 'make app'.`);
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error('no display: run the specs through tests/e2e/desktop-session.sh (make test-e2e does).');
  }
  return path.resolve(app);
}

/**
 * The ids of the processes running `executable` whose environment has
 * `name=value` (Linux: read from /proc; zombies have no command line, and a
 * process whose environment cannot be read is not ours).
 */
function pidsRunning(executable, [name, value]) {
  const pids = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] !== executable) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${name}=${value}`)) pids.push(Number(pid));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

// The single-instance name lives on the session bus: only apps on this
// desktop session's bus can take it from a new one (another engineer's
// suite on its own bus cannot).
const sameSessionBus = () => ['DBUS_SESSION_BUS_ADDRESS', process.env.DBUS_SESSION_BUS_ADDRESS ?? ''];

/** Waits until no process matches `find()`; returns the ids still running after `timeoutMs`. */
async function untilGone(find, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (let pids = find(); pids.length > 0; pids = find()) {
    if (Date.now() > deadline) return pids;
    await sleep(100);
  }
  return [];
}

// A new app must not start while another instance of the same binary still
// holds the single-instance D-Bus name: it would forward its arguments to
// that instance and quit ("failed to forward arguments to the running
// instance"), and its WebDriver session would never come.
async function untilNoOtherInstance(executable, timeoutMs = 10_000) {
  const pids = await untilGone(() => pidsRunning(executable, sameSessionBus()), timeoutMs);
  if (pids.length > 0) {
    throw new Error(
      `${executable} (pid ${pids.join(', ')}) still runs on this session bus ${timeoutMs} ms before this spec ` +
        'starts its app; it holds the single-instance name, so a new window would hand its arguments to it and ' +
        'quit. Stop that process and run again.',
    );
  }
}

/**
 * Waits for the app launched with `dataDir` to quit. One still running after
 * `timeoutMs` is killed (found by its data directory, so it is this launch's
 * and no other suite's); returns what it was doing then, or null.
 */
async function reapApp(application, dataDir, timeoutMs) {
  const ours = () => pidsRunning(application, ['CASEBRIDGE_DATA_DIR', dataDir]);
  const stuck = await untilGone(ours, timeoutMs);
  if (stuck.length === 0) return null;
  const states = stuck.map((pid) => `pid ${pid}: ${processState(pid)}`).join('; ');
  for (const pid of stuck) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  await untilGone(ours, 5_000);
  return states;
}

/** What a process is doing, for an error message: its state and the kernel function it waits in. */
function processState(pid) {
  try {
    const state = /^State:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
    const threads = readdirSync(`/proc/${pid}/task`).length;
    return `${state}, ${threads} threads, waiting in ${readFileSync(`/proc/${pid}/wchan`, 'utf8') || 'nothing'}`;
  } catch {
    return 'gone';
  }
}

/**
 * Asks tauri-driver for the window, at most SESSION_TIMEOUT_MS. A stall
 * becomes an error that says what the app's log and the process list show.
 */
async function createSession(driver, capabilities, { application, dataDir, logFile, logStart }) {
  try {
    await driver.newSession(capabilities, { timeoutMs: SESSION_TIMEOUT_MS });
  } catch (err) {
    if (!(err instanceof WebDriverTimeout)) throw err;
    throw new Error(`${stallCause(application, dataDir, logFile, logStart)} (the app's and tauri-driver's output: ${logFile})`, {
      cause: err,
    });
  }
}

/** Why the window did not come, judged from this launch's log lines and the running processes. */
function stallCause(application, dataDir, logFile, logStart) {
  const waited = `no WebDriver session after ${SESSION_TIMEOUT_MS / 1000} s`;
  let log = '';
  try {
    log = readFileSync(logFile).subarray(logStart).toString('utf8');
  } catch {
    // no log: say what the processes show
  }
  if (/failed to forward arguments to the running instance/.test(log)) {
    return `${waited}: the app found another instance holding the single-instance name, handed its arguments to it and quit (a previous app still exiting?)`;
  }
  const pids = pidsRunning(application, ['CASEBRIDGE_DATA_DIR', dataDir]);
  if (pids.length === 0) {
    return (
      `${waited}: no ${path.basename(application)} process runs. Likely a previous instance held the ` +
      'single-instance name when it started (it then forwards its arguments and quits), or it crashed at start-up'
    );
  }
  return (
    `${waited}: ${path.basename(application)} runs (pid ${pids.join(', ')}) but its window never answered: ` +
    'tauri-driver / WebKitWebDriver not ready, or the webview hung loading the page'
  );
}

/** A link without its query (an OAuth callback carries the code and state there), for logs. */
function redactQuery(arg) {
  return arg.replace(/\?.*$/s, '?…');
}

/**
 * Launches the app in demo mode and returns an {@link App} once the window's
 * WebDriver session exists. Always `await app.close()` (an `after` hook).
 * @param {{ args?: string[], env?: Record<string,string> }} [options]
 */
export async function launchApp({ args = [], env = {} } = {}) {
  const application = preflight();
  await untilNoOtherInstance(application);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'casebridge-e2e-data-'));
  const [port, nativePort] = [await freePort(), await freePort()];
  mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `${path.basename(process.argv[1] ?? 'e2e', '.test.mjs')}.log`);
  const log = openSync(logFile, 'a');
  console.log(`screenshots: ${artifactsDir}; app and tauri-driver output: ${logFile}`);
  // Only what this launch writes tells why its session stalled.
  const logStart = fstatSync(log).size;
  // tauri-driver hands its environment to WebKitWebDriver, which hands it to the app.
  const appEnv = { ...process.env, CASEBRIDGE_DEMO: '1', CASEBRIDGE_DATA_DIR: dataDir, ...env };
  const child = spawn(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort)],
    {
      env: appEnv,
      // The app's own log goes here too (WebKitWebDriver passes its output on).
      stdio: ['ignore', log, log],
    },
  );
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`cannot start tauri-driver (make deps installs it): ${err.message}`)));
  });
  closeSync(log);
  const stopDriver = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await spawned;
    const capabilities = {
      'tauri:options': { application, args: ['--demo', ...args] },
    };
    // Session creation through tauri-driver occasionally fails once on a cold
    // WebKit start; a second attempt is the documented remedy. A stall is no
    // such failure: waiting again would only double the wait.
    let driver;
    for (let attempt = 1; ; attempt++) {
      driver = new WebDriver(`http://127.0.0.1:${port}`);
      try {
        await waitForDriver(driver, child, [nativePort, port], 10_000);
        await createSession(driver, capabilities, { application, dataDir, logFile, logStart });
        break;
      } catch (err) {
        if (attempt >= 2 || err.cause instanceof WebDriverTimeout) throw err;
        console.error(`# session creation failed (${err.message}); retrying once`);
        await sleep(500);
      }
    }
    return new App(driver, dataDir, stopDriver, application, { env: appEnv, logFile });
  } catch (err) {
    stopDriver();
    // A window that never answered must not hold the single-instance name for the next spec.
    await reapApp(application, dataDir, 2_000);
    throw err;
  }
}

export class App {
  constructor(driver, dataDir, stopDriver, application, { env = process.env, logFile = null } = {}) {
    this.driver = driver;
    this.dataDir = dataDir;
    this.stopDriver = stopDriver;
    this.application = application;
    /** The environment the app was started with (demo switch, data directory, display, session bus). */
    this.env = env;
    this.logFile = logFile;
  }

  /**
   * Starts the app binary a second time, with `args` and this app's
   * environment, the way the desktop starts the registered handler for a
   * `casebridge://` link (`casebridge-desktop <url>`). Single-instance should
   * make it hand its arguments to this app and quit: resolves with its exit
   * `{ code, signal, ms }` and output. One still running after `timeoutMs`
   * opened a second instance instead; it is killed and this rejects.
   */
  async launchAgain(args, { timeoutMs = 30_000 } = {}) {
    const started = Date.now();
    const second = spawn(this.application, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    second.stdout.on('data', (c) => (output += c));
    second.stderr.on('data', (c) => (output += c));
    const exited = new Promise((resolve, reject) => {
      second.once('error', (err) => reject(new Error(`cannot start ${this.application}: ${err.message}`)));
      second.once('close', (code, signal) => resolve({ code, signal, ms: Date.now() - started, output }));
    });
    const stopTimer = new AbortController();
    const timer = sleep(timeoutMs, 'timeout', { signal: stopTimer.signal }).catch(() => 'stopped');
    const first = await Promise.race([exited, timer]).finally(() => stopTimer.abort());
    if (first !== 'timeout') {
      if (this.logFile) writeFileSync(this.logFile, `--- second launch ${JSON.stringify(args.map(redactQuery))}: exit ${first.code}\n${output}`, { flag: 'a' });
      return first;
    }
    second.kill('SIGKILL');
    await exited.catch(() => {});
    throw new Error(
      `the second launch (pid ${second.pid}) still ran after ${timeoutMs} ms: it did not hand its arguments to the ` +
        `running app and quit (a second instance?); killed it. Its output: ${output.slice(-2000)}`,
    );
  }

  /** Waits until `css` matches an element that is displayed; returns its id. */
  async waitFor(css, { timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no element matched';
    for (;;) {
      try {
        const el = await this.driver.find(css);
        if (el && (await this.driver.displayed(el))) return el;
        if (el) last = 'element exists but is not displayed';
      } catch (err) {
        last = err.message;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${css}: ${last}`);
      await sleep(100);
    }
  }

  waitForTestId(testId, options) {
    return this.waitFor(`[data-testid="${testId}"]`, options);
  }

  /** Clicks the element with this data-testid once it is displayed. */
  async click(testId, options) {
    await this.driver.click(await this.waitForTestId(testId, options));
  }

  /** Whether an element with this data-testid exists right now (no waiting). */
  async exists(testId) {
    return (await this.driver.find(`[data-testid="${testId}"]`)) !== null;
  }

  /** Replaces the value of the input with this data-testid, as a person typing would. */
  async typeInto(testId, text) {
    const el = await this.waitForTestId(testId);
    await this.driver.clear(el);
    if (text !== '') await this.driver.sendKeys(el, text);
    // Clearing fires no input event in every driver; the UI listens for one.
    else await this.driver.execute('arguments[0].dispatchEvent(new Event("input", { bubbles: true }));', [elementRef(el)]);
  }

  /** How many invoices the Invoices page says are selected (0 when it says none). */
  async selectionCount() {
    const m = /([\d,]+) selected/.exec(await this.textOf('selection-count'));
    return m ? Number(m[1].replace(/,/g, '')) : 0;
  }

  /** Presses Send in the submit confirmation and waits for the results; returns the accepted result items. */
  async sendSubmission() {
    await this.click('submit-send');
    await this.waitForTestId('submit-results', { timeoutMs: 60_000 });
    return this.driver.findAll('[data-testid="result-item"][data-state="accepted"]');
  }

  /** The visible text of the first element with this data-testid. */
  async textOf(testId) {
    return this.driver.text(await this.waitForTestId(testId));
  }

  /** Polls `check` until it returns something truthy (returned); its errors count as "not yet". */
  async waitUntil(what, check, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        last = await check();
        if (last) return last;
      } catch (err) {
        last = err.message;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last: ${last}`);
      await sleep(150);
    }
  }

  /** Waits until the element with this data-testid exists and its text matches `pattern`; returns the text. */
  waitText(testId, pattern, timeoutMs) {
    return this.waitUntil(
      `${testId} to match ${pattern}`,
      async () => {
        const el = await this.driver.find(`[data-testid="${testId}"]`);
        const text = el ? await this.driver.text(el) : `no ${testId}`;
        if (pattern.test(text)) return text;
        // The error the page shows, if any, says more than a timeout.
        const notice = await this.driver.find('[data-testid="error-notice"]');
        throw new Error(`"${text}"${notice ? `; the page says: ${await this.driver.text(notice)}` : ''}`);
      },
      timeoutMs,
    );
  }

  /** Calls a shell command the way the UI does (read-only lookups for choosing test data). */
  async invoke(command, args = {}) {
    const reply = await this.driver.executeAsync(
      'const [cmd, args, done] = arguments;' +
        'window.__TAURI_INTERNALS__.invoke(cmd, args).then((v) => done({ ok: v }), (e) => done({ err: e }));',
      [command, args],
    );
    if (reply.err !== undefined) throw new Error(`${command}: ${JSON.stringify(reply.err)}`);
    return reply.ok;
  }

  /** The data-testid of the element that has keyboard focus, or null. */
  focusedTestId() {
    return this.driver.execute(
      'const el = document.activeElement; return el ? el.getAttribute("data-testid") : null;',
    );
  }

  /** Saves a PNG of the window to <artifacts>/<name>.png and returns its path. */
  async screenshot(name) {
    // WebKitWebDriver captures the last painted frame: right after a DOM
    // change that is still the previous page. Two animation frames later the
    // change has been painted.
    await this.driver.executeAsync(
      'const done = arguments[arguments.length - 1];' +
        'document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));',
    );
    mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${name}.png`);
    writeFileSync(file, await this.driver.screenshot());
    return file;
  }

  /**
   * Ends the session and waits for the app to quit. One that does not is
   * killed so the next spec can start, and this spec fails saying what it
   * was doing.
   */
  async close(timeoutMs = 10_000) {
    let stuck;
    try {
      await this.driver.deleteSession();
    } finally {
      // WebKitWebDriver ends the app shortly after it answers the delete.
      // Stopping tauri-driver kills WebKitWebDriver, so stopping it before
      // then left the app running, holding the single-instance name.
      stuck = await reapApp(this.application, this.dataDir, timeoutMs);
      this.stopDriver();
    }
    if (stuck) throw new Error(`the app did not quit within ${timeoutMs} ms of its session closing (${stuck}); killed it`);
  }
}
