/*
 * A JSON-LD document loader that never touches the internet.
 *
 * Order: (1) contexts from npm packages, (2) documents handed in by the caller (DID documents,
 * controller documents, extension contexts, status list credentials), (3) did:key, derived
 * locally with Digital Bazaar's did:key driver, (4) did:web and http URLs whose host is a
 * loopback address, fetched over plain http (tests run a local server). Everything else is
 * refused with an error naming the URL.
 */
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {CONTEXTS} from './contexts.mjs';

const didKeyDriver = didKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

const FETCH_TIMEOUT_MS = 5000;
const MAX_BYTES = 2 * 1024 * 1024;

function clone(value) {
  return structuredClone(value);
}

export function isLoopbackHost(hostname) {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if(host === 'localhost' || host === '::1') {
    return true;
  }
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** did:web:host%3Aport:path -> http(s) URL of its DID document (W3C did:web method). */
export function didWebUrl(did) {
  const parts = did.slice('did:web:'.length).split(':');
  const host = decodeURIComponent(parts[0]);
  const path = parts.slice(1).map(decodeURIComponent);
  const suffix = path.length ? `/${path.join('/')}/did.json` : '/.well-known/did.json';
  return {host, url: `http://${host}${suffix}`};
}

async function fetchLoopback(url) {
  const parsed = new URL(url);
  if(parsed.protocol !== 'http:' || !isLoopbackHost(parsed.hostname)) {
    throw new Error(`Refusing to fetch "${url}": only loopback http URLs are allowed.`);
  }
  const response = await fetch(url, {
    redirect: 'error',
    headers: {accept: 'application/ld+json, application/json'},
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
  });
  if(!response.ok) {
    throw new Error(`Fetching "${url}" failed with HTTP ${response.status}.`);
  }
  const text = await response.text();
  if(text.length > MAX_BYTES) {
    throw new Error(`"${url}" is larger than ${MAX_BYTES} bytes.`);
  }
  return JSON.parse(text);
}

function findVerificationMethod(document, url) {
  const [base, fragment] = url.split('#');
  const candidates = [];
  const visit = value => {
    if(Array.isArray(value)) {
      value.forEach(visit);
    } else if(value && typeof value === 'object') {
      candidates.push(value);
    }
  };
  for(const term of [
    'verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
  ]) {
    visit(document[term]);
  }
  const vm = candidates.find(c => c.id === url || c.id === `#${fragment}` ||
    c.id === `${base}#${fragment}`);
  if(!vm) {
    throw new Error(`No verification method "${url}" in the document of "${base}".`);
  }
  return {'@context': document['@context'], ...vm, id: url};
}

export function createDocumentLoader({documents = {}, allowLoopbackHttp = true} = {}) {
  const provided = new Map(Object.entries(documents));

  async function loadBase(base) {
    if(provided.has(base)) {
      return clone(provided.get(base));
    }
    if(base.startsWith('did:key:')) {
      return didKeyDriver.get({did: base});
    }
    if(base.startsWith('did:web:')) {
      const {host, url} = didWebUrl(base);
      if(allowLoopbackHttp && isLoopbackHost(host.split(':')[0])) {
        return fetchLoopback(url);
      }
      throw new Error(
        `Refusing to resolve "${base}": pass its DID document in "documents" ` +
        '(only loopback did:web hosts are fetched).');
    }
    if(allowLoopbackHttp && base.startsWith('http://') &&
      isLoopbackHost(new URL(base).hostname)) {
      return fetchLoopback(base);
    }
    throw new Error(
      `Refusing to load "${base}": not a packaged context, not in "documents", ` +
      'not did:key and not a loopback http URL.');
  }

  return async function documentLoader(url) {
    const context = CONTEXTS.get(url);
    if(context) {
      return {contextUrl: null, documentUrl: url, document: clone(context.document)};
    }
    if(provided.has(url)) {
      return {contextUrl: null, documentUrl: url, document: clone(provided.get(url))};
    }
    const [base, fragment] = url.split('#');
    let document;
    if(fragment !== undefined && base.startsWith('did:key:')) {
      document = await didKeyDriver.get({url});
    } else if(fragment !== undefined) {
      document = findVerificationMethod(await loadBase(base), url);
    } else {
      document = await loadBase(base);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}
