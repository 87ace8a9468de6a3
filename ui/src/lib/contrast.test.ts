// @vitest-environment node
// The palette in app.css must keep text readable in both themes: body text
// at WCAG AAA (7:1), secondary text and accents at AA (4.5:1), on every
// background it is used on.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const css = readFileSync(fileURLToPath(new URL('../app.css', import.meta.url)), 'utf8');

function tokens(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no ${selector} block in app.css`);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1] as string, m[2] as string]));
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const themes = { light: tokens(':root'), dark: tokens(":root[data-theme='dark']") };

describe.each(Object.entries(themes))('%s theme', (_name, t) => {
  const backgrounds = ['bg', 'bg-subtle', 'bg-hover', 'bg-selected', 'bg-raised'];

  it.each(backgrounds)('body text on --%s is at least 7:1', (bg) => {
    expect(contrast(t.text as string, t[bg] as string)).toBeGreaterThanOrEqual(7);
  });

  it.each(backgrounds)('muted and faint text on --%s are at least 4.5:1', (bg) => {
    expect(contrast(t['text-muted'] as string, t[bg] as string)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(t['text-faint'] as string, t[bg] as string)).toBeGreaterThanOrEqual(4.5);
  });

  it('status colours and the demo badge are readable', () => {
    for (const fg of ['ok', 'warn', 'danger', 'accent']) {
      expect(contrast(t[fg] as string, t.bg as string), fg).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(t.danger as string, t['danger-bg'] as string)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(t.demo as string, t['demo-bg'] as string)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(t['accent-text'] as string, t.accent as string)).toBeGreaterThanOrEqual(4.5);
  });
});

it('the OS dark theme uses exactly the manual dark palette', () => {
  expect(tokens(":root:not([data-theme='light'])")).toEqual(themes.dark);
});
