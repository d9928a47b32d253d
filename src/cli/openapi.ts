/**
 * `npm run openapi`: regenerate openapi/openapi.json from the routes' schemas.
 * `npm run openapi -- --check`: exit 1 when the committed file differs (for CI and hooks).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formatOpenapiDocument, generateOpenapiDocument } from '../http/openapi-document.js';

const target = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

const text = formatOpenapiDocument(await generateOpenapiDocument());
if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== text) {
    process.stderr.write('openapi/openapi.json is out of date: run `npm run openapi` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('openapi/openapi.json is up to date.\n');
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
