// The window opens in demo mode, every page is reachable from the left
// navigation (by mouse, by keyboard, by digit shortcut), and each page shows
// its heading and what a fresh, empty data directory really looks like.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchApp } from '../lib/app.mjs';
import { Key } from '../lib/webdriver.mjs';

// What each page shows on an empty data directory. `empty` is a data-testid
// and a piece of its text, taken from the page's own empty state.
const PAGES = [
  { id: 'integrations', heading: 'Integrations', empty: ['integration-stripe', 'Not connected'] },
  { id: 'invoices', heading: 'Invoices', empty: ['invoices-empty', 'No invoices yet'] },
  { id: 'import', heading: 'Import', empty: ['dropzone', 'Drop a file anywhere on this window'] },
  { id: 'cases', heading: 'Cases', empty: ['cases-empty', 'No cases yet'] },
  { id: 'settings', heading: 'Settings', empty: ['data-location', 'Folder'] },
];

describe('navigation in demo mode', () => {
  let app;

  before(async () => {
    app = await launchApp();
  });

  after(async () => {
    await app?.close();
  });

  it('opens the Casebridge window with the Demo badge', async () => {
    assert.equal(await app.driver.title(), 'Casebridge');
    assert.equal(await app.textOf('demo-badge'), 'Demo');
    assert.match(await app.textOf('demo-note'), /Demo mode\./);
  });

  for (const page of PAGES) {
    it(`shows ${page.heading} with its heading and empty state`, async () => {
      await app.driver.click(await app.waitForTestId(`nav-${page.id}`));
      const root = await app.waitForTestId(`page-${page.id}`);
      const heading = await app.driver.find('h1', root);
      assert.ok(heading, `page-${page.id} has no h1`);
      assert.equal(await app.driver.text(heading), page.heading);

      const [testId, text] = page.empty;
      assert.ok((await app.textOf(testId)).includes(text), `${testId} should say "${text}"`);
      const current = await app.waitForTestId(`nav-${page.id}`);
      assert.equal(await app.driver.attribute(current, 'aria-current'), 'page');
      await app.screenshot(page.id);
    });
  }

  it('keeps the data in the throwaway data directory it was given', async () => {
    await app.driver.click(await app.waitForTestId('nav-settings'));
    assert.ok((await app.textOf('data-location')).includes(app.dataDir), 'Settings should show CASEBRIDGE_DATA_DIR');
  });

  it('reaches the navigation with Tab and opens a page with the arrows and Enter', async () => {
    await app.driver.click(await app.waitForTestId('nav-invoices'));
    await app.waitForTestId('page-invoices');
    await app.driver.execute('document.activeElement?.blur();');

    let focused = null;
    for (let tabs = 0; tabs < 5 && !focused?.startsWith('nav-'); tabs++) {
      await app.driver.pressKeys(Key.Tab);
      focused = await app.focusedTestId();
    }
    assert.equal(focused, 'nav-invoices', 'Tab should land on the current page in the navigation');

    await app.driver.pressKeys(Key.ArrowDown, Key.ArrowDown);
    assert.equal(await app.focusedTestId(), 'nav-cases');
    await app.driver.pressKeys(Key.Enter);
    await app.waitForTestId('page-cases');
    assert.equal(await app.driver.execute('return location.hash;'), '#/cases');
  });

  it('opens a page with its number key', async () => {
    await app.driver.execute('document.activeElement?.blur();');
    await app.driver.pressKeys('5');
    await app.waitForTestId('page-settings');
    await app.driver.pressKeys('1');
    await app.waitForTestId('page-integrations');
  });
});
