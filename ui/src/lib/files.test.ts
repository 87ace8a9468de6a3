import { describe, expect, it } from 'vitest';
import { describeFile } from './files';

describe('describeFile', () => {
  it('recognises spreadsheets and delimited text regardless of case', () => {
    expect(describeFile('/home/a/Invoices 2024.XLSX')).toMatchObject({ name: 'Invoices 2024.XLSX', extension: 'xlsx', kind: 'spreadsheet' });
    expect(describeFile('C:\\Users\\a\\export.csv')).toMatchObject({ name: 'export.csv', kind: 'delimited' });
    expect(describeFile('/x/y.ods').kind).toBe('spreadsheet');
  });

  it('recognises a ZIP of documents', () => {
    expect(describeFile('/x/docs.zip').kind).toBe('archive');
  });

  it('says plainly when a file cannot be imported', () => {
    const f = describeFile('/x/invoice.pdf');
    expect(f.kind).toBe('unsupported');
    expect(f.label).toContain('.pdf');
    expect(describeFile('/x/.bashrc').label).toMatch(/without an extension/);
  });
});
