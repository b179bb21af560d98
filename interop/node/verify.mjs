#!/usr/bin/env node
/*
 * Verifies a Verifiable Credential with Digital Bazaar's @digitalbazaar/vc (verifyCredential)
 * and the eddsa-rdfc-2022 Data Integrity cryptosuite, JSON-LD safe mode on (their default).
 *
 * Input (file argument or stdin): either a credential, or
 *   {"credential": {...}, "documents": {"<url>": {...}}, "now": "<ISO date>"}
 * where "documents" supplies DID documents, controller documents, extension contexts and
 * status list credentials. did:key is derived locally; loopback http URLs are fetched;
 * nothing else is loaded.
 *
 * Output: {"verified": true|false, "errors": ["..."], "statuses": [{"purpose", "set"}]};
 * exit code 0 if verified, else 1. `verified` is vc.verifyCredential's own answer, which is
 * true even when a status bit is set (it says only that the status check ran): read the bits
 * in "statuses", one per credentialStatus entry, taken from statusResult.results[].status.
 *
 * Batch mode: {"credentials": [...], "documents": {...}} verifies each credential and prints
 * {"verified": <all verified>, "errors": [...], "results": [{"verified", "errors"}, ...]}.
 */
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {errorMessages, printJson, readJsonInput} from './lib/io.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

async function verify({credential, documentLoader, now}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const options = {credential, suite, documentLoader, checkStatus};
  if(now) {
    options.now = now;
  }
  const result = await vc.verifyCredential(options);

  const errors = [];
  if(result.error) {
    errors.push(...errorMessages(result.error));
  }
  for(const item of result.results || []) {
    if(item.error && item.error !== result.error) {
      errors.push(...errorMessages(item.error));
    }
  }
  if(result.statusResult && !result.statusResult.verified) {
    errors.push(...errorMessages(result.statusResult.error || 'status check failed'));
  }
  const verified = result.verified === true;
  if(!verified && errors.length === 0) {
    errors.push('Verification failed without an error message.');
  }
  const statuses = (result.statusResult?.results || []).map(item => ({
    purpose: item.credentialStatus?.statusPurpose ?? null,
    set: item.status === true
  }));
  return {verified, errors: [...new Set(errors)], statuses};
}

async function main() {
  let input;
  try {
    input = await readJsonInput();
  } catch(error) {
    printJson({verified: false, errors: [`Invalid input: ${error.message}`]});
    return 1;
  }
  const isObject = input && typeof input === 'object' && !Array.isArray(input);
  const wrapped = isObject && !('@context' in input) &&
    ('credential' in input || 'credentials' in input);
  const documentLoader = createDocumentLoader({
    documents: (wrapped && input.documents) || {}
  });
  const now = wrapped ? input.now : undefined;

  if(wrapped && Array.isArray(input.credentials)) {
    const results = [];
    for(const credential of input.credentials) {
      results.push(await verify({credential, documentLoader, now}));
    }
    const verified = results.every(r => r.verified);
    printJson({verified, errors: results.flatMap(r => r.errors), results});
    return verified ? 0 : 1;
  }
  const credential = wrapped ? input.credential : input;
  const result = await verify({credential, documentLoader, now});
  printJson(result);
  return result.verified ? 0 : 1;
}

process.exitCode = await main();
