/**
 * The repository's documents stand on their own: every relative link of the READMEs, the
 * contributing guide and docs/ names a file of the repository (and, with an anchor, a heading of
 * it), and the docs the API and architecture refer to are there.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const DOCUMENTS = ['README.md', 'CONTRIBUTING.md', 'docs/architecture.md', 'docs/api.md', 'docs/reliability.md', 'clients/python/README.md'];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

test('every relative link names a file of the repository, and an anchor a heading of it', () => {
  const broken: string[] = [];
  for (const document of DOCUMENTS) {
    const text = readFileSync(join(root, document), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#');
      const file = path === '' ? join(root, document) : join(root, dirname(document), path);
      if (!existsSync(file)) {
        broken.push(`${document}: ${target} (no ${relative(root, file)})`);
        continue;
      }
      if (anchor && file.endsWith('.md')) {
        const headings = [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]));
        if (!headings.includes(anchor)) broken.push(`${document}: ${target} (no heading #${anchor})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('the README links the architecture and the API', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const doc of ['docs/architecture.md', 'docs/api.md', 'openapi/openapi.json']) assert.ok(readme.includes(`](${doc})`), doc);
});
