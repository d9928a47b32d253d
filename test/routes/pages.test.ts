/**
 * The service's web pages through app.inject (no browser needed): what `GET /` and `GET /explore`
 * send, the assets they load, their security headers, and the landing page's Python example,
 * which must stay the README's. The pages in a browser: test/ui/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { build } from '../helpers/build.js';

const HTML_ASSETS = /(?:src|href)="([^"#:]+)"/g;

function assetsOf(html: string): string[] {
  return [...html.matchAll(HTML_ASSETS)].map((m) => m[1]).filter((p) => /\.(js|css|svg|json)$/.test(p));
}

test('GET / and GET /explore send their pages, with every asset they name', async (t) => {
  const app = await build(t);
  for (const path of ['/', '/explore', '/explore?start=2024-01-01&end=2024-02-01&bbox=1,2,3,4&unknown=kept']) {
    const res = await app.inject({ method: 'GET', url: path });
    assert.equal(res.statusCode, 200, path);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<!doctype html>/i);
    assert.doesNotMatch(res.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=/i, `${path}: no inline script, handler or style`);
    assert.doesNotMatch(res.body, /(?:src|href|action)="(?:https?:)?\/\//, `${path}: nothing from another origin`);
    for (const asset of assetsOf(res.body)) {
      const a = await app.inject({ method: 'GET', url: `/${asset}` });
      assert.equal(a.statusCode, 200, `${path} loads /${asset}`);
      assert.ok(a.body.length > 100, `/${asset} has content`);
    }
  }
  const explore = await app.inject({ method: 'GET', url: '/explore' });
  const scripts = assetsOf(explore.body).filter((a) => a.endsWith('.js'));
  assert.deepEqual(scripts, ['explore/vendor/d3.min.js', 'explore/vendor/plot.umd.min.js', 'explore/vendor/topojson-client.min.js', 'explore/assets/main.js']);
  const land = await app.inject({ method: 'GET', url: '/explore/vendor/land-50m.json' });
  assert.equal(land.statusCode, 200);
  assert.equal((land.json() as { type: string }).type, 'Topology', 'the world-atlas coastlines');
});

test('the page modules import only their own siblings', async (t) => {
  const app = await build(t);
  for (const module of ['main', 'api', 'charts', 'map', 'share', 'state', 'summary']) {
    const res = await app.inject({ method: 'GET', url: `/explore/assets/${module}.js` });
    assert.equal(res.statusCode, 200, module);
    assert.match(String(res.headers['content-type']), /javascript/);
    for (const [, specifier] of res.body.matchAll(/^import .* from '([^']+)';$/gm)) {
      assert.match(specifier, /^\.\/[a-z-]+\.js$/, `${module}.js imports ${specifier}: a sibling module, no bare or remote specifier`);
    }
  }
});

test('pages carry a strict Content-Security-Policy; the API routes are unchanged', async (t) => {
  const app = await build(t);
  for (const path of ['/', '/explore', '/explore/assets/explore.css', '/explore/vendor/plot.umd.min.js']) {
    const res = await app.inject({ method: 'GET', url: path });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /style-src 'self'(;|$)/, path);
    assert.match(csp, /connect-src 'self'(;|$)/, path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  }
  const months = await app.inject({ method: 'GET', url: '/v1/months' });
  assert.equal(months.headers['content-security-policy'], undefined, 'the pages\' policy stays on the pages');
});

test('unknown assets are 404 problems, and /explore/ redirects to /explore with its query', async (t) => {
  const app = await build(t);
  for (const path of ['/explore/vendor/package.json', '/explore/vendor/..%2Fpackage.json', '/explore/assets/nope.js', '/explore/assets/../../package.json']) {
    const res = await app.inject({ method: 'GET', url: path });
    assert.equal(res.statusCode, 404, path);
  }
  const slash = await app.inject({ method: 'GET', url: '/explore/?start=2024-01-01' });
  assert.equal(slash.statusCode, 308);
  assert.equal(slash.headers.location, '../explore?start=2024-01-01', 'relative: a path prefix in front of the service is kept');
});

test("the landing page's Python example is the README's Python section's", async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Python\n'));
  const code = /```python\n([\s\S]*?)\n```/.exec(section)?.[1];
  assert.ok(code, 'the README has a Python section with a python block');
  const app = await build(t);
  const home = (await app.inject({ method: 'GET', url: '/' })).body;
  const shown = /<code id="python-example">([\s\S]*?)<\/code>/.exec(home)?.[1];
  const unescape = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  assert.equal(unescape(shown ?? ''), code, 'web/home/index.html shows the README example as it is');
  for (const link of ['href="explore"', 'href="docs"', 'href="v1/months"', 'href="#python"']) assert.ok(home.includes(link), link);
});
