// File import end to end in demo mode, in the real window:
// a Danish semicolon CSV (title row above the header, decimal commas,
// day-first dates) opened through the Import page's path field (native
// drops cannot be sent through WebDriver) → what was recognised → the
// suggested mapping accepted as is → preview with a bad cell → the row fixed
// in place → the annotated error file saved through the system's save
// dialog (driven with xdotool on the test's X screen) → the valid rows
// staged → submitted from Invoices like any invoice → a ZIP of invoice PDFs
// matched to those invoices and approved.
//
// Screenshots: test-artifacts/e2e/import-*.png.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import { launchApp } from '../lib/app.mjs';
import { Key as K } from '../lib/webdriver.mjs';

// Invoice numbers unique to this run, so nothing else in the cache matches
// them: plain digits, as most Danish bookkeeping exports write them.
const stamp = String(Date.now()).slice(-6);
const inv = (n) => `${stamp}${n}`;

// Row 2 is the header (row 1 is a title); row 4 has an amount no locale reads,
// row 6 has no city (it becomes an invoice that needs fixing).
const CSV = [
  'Debitorliste marts 2024;;;;;;;;;;',
  'Fakturanr;Fakturadato;Forfaldsdato;Kundenavn;Adresse;Postnr;By;Land;Beløb;Valuta;E-mail',
  `${inv(1)};05.03.2024;19.03.2024;Nordisk Tømrer ApS;Vesterbrogade 1;1620;København V;DK;1.234,56;DKK;bogholderi@nordisk-tomrer.dk`,
  `${inv(2)};06.03.2024;20.03.2024;Bjørn Østergård A/S;Nørregade 12;8000;Aarhus C;DK;12x,50;DKK;faktura@ostergaard.dk`,
  `${inv(3)};07.03.2024;21.03.2024;Fyns Maling ApS;Torvet 3;5000;Odense C;DK;99,00;DKK;post@fynsmaling.dk`,
  `${inv(4)};08.03.2024;22.03.2024;Aalborg VVS ApS;Boulevarden 7;9000;;DK;4.500,00;DKK;info@aalborgvvs.dk`,
  `${inv(5)};13.03.2024;27.03.2024;Esbjerg Fisk A/S;Havnegade 2;6700;Esbjerg;DK;780,25;DKK;regnskab@esbjergfisk.dk`,
].join('\r\n');

/** A ZIP of stored (uncompressed) entries: enough for a handful of small PDFs. */
function zipStored(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A tiny but well-formed one-page PDF saying `text`. */
function pdf(text) {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) body += `${String(o).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('file import in demo mode', () => {
  let app;
  let d;
  let dir;
  let csvPath;
  let zipPath;
  let errorFile;

  /** Opens a file the way a drop would (WebDriver cannot drop files): through the Import page's path field. */
  async function openByPath(file) {
    await app.typeInto('import-path', file);
    await app.click('import-path-open');
  }

  const xdotool = (...args) => execFileSync('xdotool', args, { encoding: 'utf8', timeout: 10_000 }).trim();

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'casebridge-e2e-import-'));
    csvPath = path.join(dir, 'Debitorer marts.csv');
    writeFileSync(csvPath, CSV, 'utf8');
    zipPath = path.join(dir, 'fakturaer.zip');
    writeFileSync(
      zipPath,
      zipStored([
        { name: `faktura-${inv(1)}.pdf`, data: pdf(`Faktura ${inv(1)}`) },
        { name: `faktura-${inv(3)}.pdf`, data: pdf(`Faktura ${inv(3)}`) },
        { name: 'bilag/kontrakt.pdf', data: pdf('Rammeaftale') },
      ]),
    );
    errorFile = path.join(dir, 'rows-to-fix.xlsx');
    app = await launchApp();
    d = app.driver;
  });

  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens a Danish semicolon CSV by its path and says what it recognised', async () => {
    await app.click('nav-import');
    await app.waitForTestId('dropzone');
    await app.screenshot('import-01-empty');
    await openByPath(csvPath);
    await app.waitForTestId('import-recognised');
    assert.equal(await app.textOf('import-file-name'), 'Debitorer marts.csv');
    const delimiter = await app.waitForTestId('import-delimiter');
    assert.equal(await d.property(delimiter, 'value'), ';');
    assert.equal(await d.property(await app.waitForTestId('import-header-row'), 'value'), '2', 'the title row is skipped');
    assert.match(await app.textOf('import-encoding-confidence'), /\d+ % sure/);
    await app.screenshot('import-02-recognised');
  });

  it('suggests a field for every Danish header, with how sure it is', async () => {
    const rows = await d.findAll('[data-testid="mapping-row"]');
    assert.equal(rows.length, 11);
    const fields = await d.execute(
      'return [...document.querySelectorAll(\'[data-testid="mapping-field"]\')].map((s) => s.value);',
    );
    assert.deepEqual(fields.slice(0, 4), ['invoice_number', 'issue_date', 'due_date', 'debtor_name']);
    assert.ok(fields.includes('outstanding_amount') || fields.includes('total_amount'), `an amount column: ${fields}`);
    assert.ok(fields.includes('currency'), `the currency column: ${fields}`);
    const meters = await d.findAll('[data-testid="mapping-confidence"]');
    assert.ok(meters.length >= 9, 'most columns carry a confidence');
    assert.equal(await d.find('[data-testid="mapping-problems"]'), null, 'nothing missing');
    await app.screenshot('import-03-mapping');
  });

  it('reads every row with the suggested mapping and shows the bad cell with its reason', async () => {
    await app.click('mapping-confirm');
    await app.waitForTestId('import-preview');
    await app.waitText('import-summary', /3 rows ready, 2 need fixing, 0 duplicates/, 20_000);
    // The amount column is to the right of the view: the table scrolls sideways.
    await app.waitUntil('a bad cell', () => d.find('[data-testid="import-bad-cell"][data-kind="error"]'));
    await d.execute('document.querySelector(\'[data-testid="import-bad-cell"][data-kind="error"]\').scrollIntoView({ block: "nearest", inline: "center" });');
    // WebDriver calls a cell in the virtual table's clipped viewport "not displayed"; the screenshot shows it.
    const bad = await d.find('[data-testid="import-bad-cell"][data-kind="error"]');
    assert.match(await d.attribute(bad, 'title'), /12x,50|amount/i);
    await app.screenshot('import-04-preview');
    await app.click('import-filter-errors');
    await app.waitUntil('only the unreadable row', async () => (await d.findAll('[data-testid="import-row"]')).length === 1);
  });

  it('fixes the bad amount in place', async () => {
    const row = await app.waitFor('[data-testid="import-row"][data-key="4"]');
    await d.click(row);
    await app.waitForTestId('import-row-editor');
    const invalid = await d.execute(
      'return [...document.querySelectorAll(\'[data-testid="import-row-editor"] input[aria-invalid="true"]\')].map((i) => i.dataset.testid);',
    );
    assert.equal(invalid.length, 1, `one bad cell: ${invalid}`);
    await app.screenshot('import-05-fixing');
    await app.typeInto(invalid[0], '125,50');
    await app.click('import-fix-save');
    await app.waitText('import-summary', /4 rows ready, 1 needs fixing, 0 duplicates/, 20_000);
    await app.click('import-filter-all');
    await app.waitUntil('the fixed row is ready', async () => {
      const status = await d.find('[data-testid="import-row"][data-key="4"] [data-testid="import-row-status"]');
      return status && /Ready/.test(await d.text(status));
    });
    await app.screenshot('import-06-fixed');
  });

  it('exports the rows still to fix through the save dialog', async () => {
    await app.click('import-export-errors');
    // The shell opens GTK's save dialog on the test's X screen; type the path and save.
    const dialog = await app.waitUntil('the save dialog', async () => {
      const found = xdotool('search', '--name', 'Export rows to fix').split('\n').filter(Boolean);
      return found[0] ?? false;
    });
    await sleep(800);
    try {
      xdotool('windowfocus', '--sync', dialog);
    } catch {
      // Without a window manager focus may already be there.
    }
    xdotool('key', '--clearmodifiers', 'ctrl+a');
    xdotool('type', '--delay', '20', errorFile);
    xdotool('key', 'Return');
    await app.waitText('import-export-note', /Saved 1 row with their errors/, 20_000);
    assert.ok(existsSync(errorFile) && statSync(errorFile).size > 0, `the error file was written to ${errorFile}`);
    await app.screenshot('import-07-exported');
  });

  it('stages the valid rows and links to Invoices', async () => {
    await app.click('import-stage');
    await sleep(300);
    await app.screenshot('import-08-staging');
    await app.waitText('import-staged', /5 invoices added to Invoices/, 30_000);
    await app.screenshot('import-09-staged');
    await app.click('import-open-invoices');
    await app.waitForTestId('page-invoices');
  });

  it('submits an imported invoice from Invoices like any other', async () => {
    await app.typeInto('invoice-search', inv(1));
    // The table re-renders while the search applies (and when the page reloads after a
    // fetch), so a row found early can be replaced before the click: wait for the one
    // searched row, and find its box again if it went stale.
    await app.waitUntil(
      `the row of invoice ${inv(1)} alone, clicked`,
      async () => {
        const shown = await d.execute('return [...document.querySelectorAll(\'[data-testid="invoice-row"]\')].map((r) => r.textContent);');
        if (shown.length !== 1 || !shown[0].includes(inv(1))) throw new Error(`rows shown: ${JSON.stringify(shown)}`);
        await d.click(await d.find('[data-testid="invoice-row"] [data-testid="row-check"]'));
        return true;
      },
      20_000,
    );
    await app.waitText('selection-count', /1 selected/);
    await app.screenshot('import-10-invoices');
    await app.click('submit-selected');
    await app.waitForTestId('submit-confirm');
    assert.match(await app.textOf('submit-send'), /Send 1 case/);
    const accepted = await app.sendSubmission();
    assert.equal(accepted.length, 1, 'the agency sandbox accepted the imported invoice');
    await app.screenshot('import-11-submitted');
    await app.click('submit-close');
  });

  it('names the imported file on the Files card of Integrations, with a way back to Import', async () => {
    await app.click('nav-integrations');
    await app.waitText('health-files-account', /^Debitorer marts\.csv$/);
    assert.match(await app.textOf('health-files-last-success'), /^(just now|\d+ seconds? ago|1 minute ago)$/, 'imported a moment ago');
    assert.match(await d.attribute(await app.waitForTestId('files-import-link'), 'href'), /#\/import$/);
    await d.execute('document.querySelector(\'[data-testid="integration-files"]\').scrollIntoView({ block: "center" });');
    await app.screenshot('import-12-files-card');
  });

  it('matches a ZIP of invoice PDFs to the imported invoices and approves the sure matches', async () => {
    await app.click('nav-import');
    await app.click('import-start-over');
    await openByPath(zipPath);
    await app.waitForTestId('import-documents', { timeoutMs: 20_000 });
    await app.waitText('documents-summary', /3 files: 2 matched, 0 to choose, 1 unmatched/);
    await app.screenshot('import-13-documents');
    assert.match(await app.textOf('documents-approve-all'), /Approve 2 sure matches/);
    await app.click('documents-approve-all');
    await app.waitText('documents-outcome', /2 documents stored/, 30_000);
    const approved = await d.findAll('[data-testid="document-upload"]');
    assert.equal(approved.length, 2);
    await app.screenshot('import-14-approved');
  });

  it('reads the same in the dark theme', async () => {
    await app.click('nav-settings');
    await app.click('theme-dark');
    await app.click('nav-import');
    await app.click('import-start-over');
    await openByPath(csvPath);
    await app.waitForTestId('import-mapping');
    await app.screenshot('import-15-dark-mapping');
    await d.pressKeys(K.Escape);
  });
});
