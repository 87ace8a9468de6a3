// Plays the system browser on the sandbox's fake OAuth consent pages. In e2e
// the browser the app opens cannot be clicked, so a spec reads the sign-in
// address the waiting card shows ("Copy the sign-in address"), loads the
// consent page with fetch(), and posts what its buttons would post. Nothing
// leaves 127.0.0.1.

import assert from 'node:assert/strict';

/** The consent page's address, as the waiting card offers it for copying. */
export async function authorizeUrl(app, provider) {
  const url = await app.waitUntil(`${provider}'s sign-in address`, () =>
    app.driver.execute(`return document.querySelector('[data-testid="${provider}-authorize-url"]')?.textContent ?? '';`),
  );
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, 'the demo consent page is the local fake');
  return url;
}

/**
 * Loads the consent page at `url` and posts `decision` ('allow' or 'deny')
 * with the page's hidden fields and `fields` (e.g. the QuickBooks company).
 * Returns where the provider redirects to, without following it.
 */
export async function consent(url, decision, fields = {}) {
  const page = await fetch(url);
  assert.equal(page.status, 200, 'the consent page loads');
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form.set(unescapeHtml(m[1]), unescapeHtml(m[2]));
  }
  assert.ok(form.has('state') && form.has('code_challenge'), 'the consent page carries state and PKCE');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('decision', decision);
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1] ?? new URL(url).pathname;
  const posted = await fetch(new URL(unescapeHtml(action), url), { method: 'POST', body: form, redirect: 'manual' });
  assert.ok(posted.status >= 300 && posted.status < 400, `the consent answers with a redirect, got ${posted.status}`);
  const back = posted.headers.get('location');
  assert.ok(back, 'the redirect has a Location');
  return back;
}

function unescapeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
