#!/usr/bin/env node
/*
 * Writes (default) or checks (--check) MC Portal's local JSON-LD context copies in
 * badges/contexts/ from the npm packages pinned in package-lock.json, so that our Python
 * loader and the Node verifier canonicalise with identical context documents.
 *
 *   node export-contexts.mjs           rewrite badges/contexts/*.jsonld and index.json
 *   node export-contexts.mjs --check   exit 1 (listing the differences) if any copy differs
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isDeepStrictEqual} from 'node:util';

import {BUNDLED_FOR_PYTHON, CONTEXTS} from './lib/contexts.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TARGET = join(HERE, '..', '..', 'badges', 'contexts');
const check = process.argv.includes('--check');

const index = {};
const problems = [];
for(const [url, file] of BUNDLED_FOR_PYTHON) {
  const source = CONTEXTS.get(url);
  if(!source) {
    problems.push(`${url}: not found in any npm package`);
    continue;
  }
  index[url] = {file, package: source.package, version: source.version};
  const path = join(TARGET, file);
  if(check) {
    let onDisk;
    try {
      onDisk = JSON.parse(readFileSync(path, 'utf8'));
    } catch(error) {
      problems.push(`${file}: ${error.message}`);
      continue;
    }
    if(!isDeepStrictEqual(onDisk, source.document)) {
      problems.push(`${file} differs from ${source.package}@${source.version} (${url})`);
    }
  } else {
    writeFileSync(path, JSON.stringify(source.document, null, 2) + '\n');
  }
}

const indexPath = join(TARGET, 'index.json');
const indexDocument = {
  comment: 'URL -> local copy; written by interop/node/export-contexts.mjs from the npm ' +
    'packages pinned in interop/node/package-lock.json. Do not edit by hand.',
  contexts: index
};
if(check) {
  const onDisk = JSON.parse(readFileSync(indexPath, 'utf8'));
  if(!isDeepStrictEqual(onDisk, indexDocument)) {
    problems.push('index.json differs from the pinned packages');
  }
} else {
  writeFileSync(indexPath, JSON.stringify(indexDocument, null, 2) + '\n');
}

if(problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exitCode = 1;
} else if(check) {
  process.stdout.write(`${BUNDLED_FOR_PYTHON.size} contexts match the npm packages\n`);
}
