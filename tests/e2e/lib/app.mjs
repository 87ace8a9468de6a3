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
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebDriver } from './webdriver.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const artifactsDir = process.env.CASEBRIDGE_E2E_ARTIFACTS ?? path.join(repoRoot, 'test-artifacts/e2e');

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
    if (up.every(Boolean)) return driver.request('GET', '/status');
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

/** Whether a process runs `executable` (Linux: read from /proc; zombies have no command line). */
function isRunning(executable) {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === executable) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

// The next spec's app must not start while this one still holds the
// single-instance D-Bus name: it would forward its arguments to the dying
// instance and quit ("failed to forward arguments to the running instance").
async function untilExited(executable, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(executable)) {
    if (Date.now() > deadline) throw new Error(`${executable} still runs ${timeoutMs} ms after its session closed`);
    await sleep(100);
  }
}

/**
 * Launches the app in demo mode and returns an {@link App} once the window's
 * WebDriver session exists. Always `await app.close()` (an `after` hook).
 * @param {{ args?: string[], env?: Record<string,string> }} [options]
 */
export async function launchApp({ args = [], env = {} } = {}) {
  const application = preflight();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'casebridge-e2e-data-'));
  const [port, nativePort] = [await freePort(), await freePort()];
  mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `${path.basename(process.argv[1] ?? 'e2e', '.test.mjs')}.log`);
  const log = openSync(logFile, 'a');
  // tauri-driver hands its environment to WebKitWebDriver, which hands it to the app.
  const child = spawn(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort)],
    {
      env: { ...process.env, CASEBRIDGE_DEMO: '1', CASEBRIDGE_DATA_DIR: dataDir, ...env },
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
    // WebKit start; a second attempt is the documented remedy.
    let driver;
    for (let attempt = 1; ; attempt++) {
      driver = new WebDriver(`http://127.0.0.1:${port}`);
      try {
        await waitForDriver(driver, child, [nativePort, port], 10_000);
        await driver.newSession(capabilities);
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
        console.error(`# session creation failed (${err.message}); retrying once`);
        await sleep(500);
      }
    }
    return new App(driver, dataDir, stopDriver, application);
  } catch (err) {
    stopDriver();
    throw err;
  }
}

export class App {
  constructor(driver, dataDir, stopDriver, application) {
    this.driver = driver;
    this.dataDir = dataDir;
    this.stopDriver = stopDriver;
    this.application = application;
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

  async close() {
    try {
      await this.driver.deleteSession();
    } finally {
      this.stopDriver();
      await untilExited(this.application);
    }
  }
}
