// Recognises a dropped or picked file by its extension. This is all the
// Import page does until the importer is built: it says what it would read.

export type FileKind = 'spreadsheet' | 'delimited' | 'archive' | 'unsupported';

export interface DroppedFile {
  path: string;
  name: string;
  extension: string;
  kind: FileKind;
  label: string;
}

const KINDS: Record<string, { kind: FileKind; label: string }> = {
  csv: { kind: 'delimited', label: 'CSV (comma- or semicolon-separated text)' },
  tsv: { kind: 'delimited', label: 'TSV (tab-separated text)' },
  txt: { kind: 'delimited', label: 'Text file (delimiter to be detected)' },
  xlsx: { kind: 'spreadsheet', label: 'Excel workbook (.xlsx)' },
  xls: { kind: 'spreadsheet', label: 'Excel 97–2003 workbook (.xls)' },
  ods: { kind: 'spreadsheet', label: 'OpenDocument spreadsheet (.ods)' },
  zip: { kind: 'archive', label: 'ZIP of documents' },
};

/** Extensions the file picker offers. */
export const IMPORTABLE_EXTENSIONS = Object.keys(KINDS);

export function describeFile(path: string): DroppedFile {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const known = KINDS[extension];
  if (known) return { path, name, extension, ...known };
  return {
    path,
    name,
    extension,
    kind: 'unsupported',
    label: extension ? `.${extension} files can't be imported` : "Files without an extension can't be imported",
  };
}
