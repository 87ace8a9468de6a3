// A small W3C WebDriver client: just the commands the e2e specs use.
//
// Why not WebdriverIO: tauri-driver forwards plain W3C WebDriver (classic)
// to WebKitWebDriver; a ~150-line client over one keep-alive connection needs
// no npm install, no BiDi negotiation and no browser-driver downloads. Keep-alive
// matters: a client that closes the connection after every request makes
// tauri-driver fail sporadically (linux-build.md, "tauri-driver flake").

import http from 'node:http';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** Key codes from the WebDriver spec's "keyboard actions" table. */
export const Key = Object.freeze({
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Control: '\uE009',
  Escape: '\uE00C',
  Space: '\uE00D',
  ArrowDown: '\uE015',
});

/** An element id as a script argument for execute(). */
export const elementRef = (el) => ({ [ELEMENT]: el });

export class WebDriverError extends Error {
  constructor(command, status, body) {
    const value = body?.value ?? {};
    super(`${command} -> HTTP ${status} ${value.error ?? ''}: ${value.message ?? JSON.stringify(body)}`);
    this.name = 'WebDriverError';
    this.code = value.error;
  }
}

/** A command the driver did not answer in time (see `request`'s `timeoutMs`). */
export class WebDriverTimeout extends Error {
  constructor(command, timeoutMs) {
    super(`${command}: no reply within ${timeoutMs} ms`);
    this.name = 'WebDriverTimeout';
    this.timeoutMs = timeoutMs;
  }
}

export class WebDriver {
  /** @param {string} baseUrl e.g. http://127.0.0.1:4444 */
  constructor(baseUrl) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.sessionId = null;
  }

  /**
   * Sends one command. With `timeoutMs`, a reply that has not come by then
   * rejects with a {@link WebDriverTimeout} (the request is dropped);
   * without, it waits as long as the driver takes.
   */
  async request(method, path, body, { timeoutMs } = {}) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const command = `${method} ${path}`;
    let timer;
    const { status, text } = await new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: payload
            ? { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => req.destroy(new WebDriverTimeout(command, timeoutMs)), timeoutMs);
      }
      req.end(payload);
    }).finally(() => clearTimeout(timer));
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WebDriverError(command, status, { value: { message: `non-JSON reply: ${text.slice(0, 200)}` } });
    }
    if (status >= 400) throw new WebDriverError(command, status, parsed);
    return parsed.value;
  }

  session(method, path, body) {
    if (!this.sessionId) throw new Error('no WebDriver session');
    return this.request(method, `/session/${this.sessionId}${path}`, body);
  }

  /** Starts the app's window; `timeoutMs` bounds the wait (see `request`). */
  async newSession(capabilities, { timeoutMs } = {}) {
    const value = await this.request('POST', '/session', { capabilities: { alwaysMatch: capabilities } }, { timeoutMs });
    this.sessionId = value.sessionId;
    return value;
  }

  async deleteSession() {
    if (!this.sessionId) return;
    try {
      await this.session('DELETE', '');
    } finally {
      this.sessionId = null;
      this.agent.destroy();
    }
  }

  /** @returns {Promise<string|null>} element id, or null when nothing matches */
  async find(css, from) {
    const path = from ? `/element/${from}/elements` : '/elements';
    const found = await this.session('POST', path, { using: 'css selector', value: css });
    return found.length > 0 ? found[0][ELEMENT] : null;
  }

  /** @returns {Promise<string[]>} ids of every element matching `css`, in document order */
  async findAll(css) {
    const found = await this.session('POST', '/elements', { using: 'css selector', value: css });
    return found.map((e) => e[ELEMENT]);
  }

  text(el) {
    return this.session('GET', `/element/${el}/text`);
  }

  attribute(el, name) {
    return this.session('GET', `/element/${el}/attribute/${encodeURIComponent(name)}`);
  }

  property(el, name) {
    return this.session('GET', `/element/${el}/property/${encodeURIComponent(name)}`);
  }

  displayed(el) {
    return this.session('GET', `/element/${el}/displayed`);
  }

  click(el) {
    return this.session('POST', `/element/${el}/click`, {});
  }

  clear(el) {
    return this.session('POST', `/element/${el}/clear`, {});
  }

  /** Types `text` into the element (W3C body: { text }). */
  sendKeys(el, text) {
    return this.session('POST', `/element/${el}/value`, { text });
  }

  execute(script, args = []) {
    return this.session('POST', '/execute/sync', { script, args });
  }

  /** Runs `script` with a callback as its last argument; resolves with what it passes. */
  executeAsync(script, args = []) {
    return this.session('POST', '/execute/async', { script, args });
  }

  title() {
    return this.session('GET', '/title');
  }

  /** Presses and releases each key in turn, as a person typing would. */
  pressKeys(...keys) {
    const actions = keys.flatMap((value) => [
      { type: 'keyDown', value },
      { type: 'keyUp', value },
    ]);
    return this.session('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  /** Holds `modifier` while pressing `key` (Ctrl+A). */
  chord(modifier, key) {
    const actions = [
      { type: 'keyDown', value: modifier },
      { type: 'keyDown', value: key },
      { type: 'keyUp', value: key },
      { type: 'keyUp', value: modifier },
    ];
    return this.session('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  /** Clicks the element while `modifier` is held (Shift+click, Ctrl+click). */
  async clickWith(modifier, el) {
    const pause = { type: 'pause', duration: 0 };
    await this.session('POST', '/actions', {
      actions: [
        { type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: modifier }, pause, pause, { type: 'keyUp', value: modifier }] },
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', origin: elementRef(el), x: 0, y: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
            pause,
          ],
        },
      ],
    });
    await this.session('DELETE', '/actions');
  }

  /** @returns {Promise<Buffer>} PNG of the window's viewport */
  async screenshot() {
    return Buffer.from(await this.session('GET', '/screenshot'), 'base64');
  }
}
