// @vitest-environment node
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rebaseConfig } from './tauri.mjs';

function fakeRoot() {
  const root = mkdtempSync(join(tmpdir(), 'cb-root-'));
  mkdirSync(join(root, 'icons'));
  mkdirSync(join(root, 'resources'));
  return root;
}

describe('rebaseConfig', () => {
  const root = fakeRoot();
  const config = {
    identifier: 'com.casebridge.desktop',
    build: { frontendDist: 'ui/dist', devUrl: 'http://localhost:1420' },
    bundle: {
      category: 'Finance',
      targets: ['deb', 'appimage'],
      icon: ['icons/32x32.png', './icons/icon.ico'],
      resources: { 'resources/templates/*': 'templates/' },
      linux: { deb: { section: 'utils', files: { '/usr/share/doc/casebridge/README': 'resources/README' } } },
    },
  };
  const out = rebaseConfig(config, root);

  it('moves frontendDist up one level even before the UI is built', () => {
    expect(out.build.frontendDist).toBe('../ui/dist');
    expect(out.build.devUrl).toBe('http://localhost:1420');
  });

  it('moves bundle paths up one level', () => {
    expect(out.bundle.icon).toEqual(['../icons/32x32.png', '../icons/icon.ico']);
    expect(out.bundle.resources).toEqual({ '../resources/templates/*': 'templates/' });
    expect(out.bundle.linux.deb.files).toEqual({ '/usr/share/doc/casebridge/README': '../resources/README' });
  });

  it('leaves words that are not repository paths alone', () => {
    expect(out.bundle.category).toBe('Finance');
    expect(out.bundle.targets).toEqual(['deb', 'appimage']);
    expect(out.bundle.linux.deb.section).toBe('utils');
  });

  it('does not touch the input', () => {
    expect(config.bundle.icon[0]).toBe('icons/32x32.png');
  });
});
