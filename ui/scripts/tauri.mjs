#!/usr/bin/env node
// `npm run tauri -- <command>`: the Tauri CLI for this repository's layout.
//
// Why this wrapper exists: tauri.conf.json lives at the repository root
// (fixed by the design card) while the Cargo package it configures lives in
// src-tauri/. The crate itself is pointed at the root file (build.rs:
// `Attributes::config_path`, main.rs: `generate_context!("../tauri.conf.json")`),
// and both resolve the config's relative paths (frontendDist, icons) against
// the root. The CLI (2.x) cannot be pointed at it: it looks for the config
// only *inside* the folder of the Cargo package it builds (TAURI_APP_PATH or
// discovery from the working directory), refuses a folder whose Cargo.toml
// has no [package] (our root is a virtual workspace manifest), and resolves
// every relative path in the config against that package folder. `--config`
// only merges into a base file it has already found.
//
// So for the duration of one CLI command this script writes
// src-tauri/tauri.conf.json: the root config with its relative paths rebased
// from the root to src-tauri/ ("icons/x.png" → "../icons/x.png"), and
// removes it afterwards. The root file stays the only one anybody edits;
// the compiled app never reads the copy. `tauri dev` does not notice edits to
// the root file while it runs: restart it.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CRATE = join(ROOT, 'src-tauri');
const UI = join(ROOT, 'ui');
const GENERATED = join(CRATE, 'tauri.conf.json');

const isUrl = (value) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);

/** A string that names something in the repository, relative to its root. */
function isRootRelativePath(value, root) {
  if (value === '' || isAbsolute(value) || isUrl(value)) return false;
  const first = value.replace(/^\.\//, '').split(/[\\/]/)[0];
  return first !== '' && first !== '..' && existsSync(join(root, first));
}

function rebasePath(value, root) {
  return isRootRelativePath(value, root) ? `../${value.replace(/^\.\//, '')}` : value;
}

function rebaseStrings(value, root, keysArePaths = false) {
  if (typeof value === 'string') return rebasePath(value, root);
  if (Array.isArray(value)) return value.map((v) => rebaseStrings(v, root));
  if (value && typeof value === 'object') {
    // Keys are config field names, except in a `resources` map, whose keys
    // are source paths.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        keysArePaths ? rebasePath(k, root) : k,
        rebaseStrings(v, root, k === 'resources'),
      ]),
    );
  }
  return value;
}

/**
 * The root config as the CLI must see it from src-tauri/. Paths appear in
 * `build.frontendDist` (which may not exist before the first UI build, so it
 * is rebased whenever it is a relative path) and anywhere under `bundle`
 * (icons, resources, license, installer images), where a string is taken
 * for a path when its first segment exists in the repository root.
 */
export function rebaseConfig(config, root = ROOT) {
  const out = structuredClone(config);
  const dist = out.build?.frontendDist;
  if (typeof dist === 'string' && !isUrl(dist) && !isAbsolute(dist)) {
    out.build.frontendDist = `../${dist.replace(/^\.\//, '')}`;
  }
  if (out.bundle) out.bundle = rebaseStrings(out.bundle, root);
  return out;
}

function main() {
  const config = JSON.parse(readFileSync(join(ROOT, 'tauri.conf.json'), 'utf8'));
  writeFileSync(GENERATED, `${JSON.stringify(rebaseConfig(config), null, 2)}\n`);
  const cleanup = () => rmSync(GENERATED, { force: true });
  // The CLI runs as a child: on Ctrl-C it exits the process from native code,
  // which would skip any cleanup in this one.
  const cli = createRequire(import.meta.url).resolve('@tauri-apps/cli/tauri.js');
  const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TAURI_APP_PATH: CRATE, TAURI_FRONTEND_PATH: UI },
  });
  // A terminal's Ctrl-C reaches the child too; a signal sent to this process
  // alone is passed on. Either way the child's exit triggers the cleanup.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    cleanup();
    console.error(`could not start the Tauri CLI: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    cleanup();
    process.exit(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
