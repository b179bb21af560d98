#!/usr/bin/env node
/*
 * A wallet's DIDAuthentication, with Digital Bazaar's libraries: a Verifiable Presentation
 * signed eddsa-rdfc-2022 (proofPurpose "authentication") by a fresh did:key, answering a VC-API
 * exchange's Verifiable Presentation Request.
 *
 * Input (stdin): {"challenge": "...", "domain": "...", "holder": true (default; false omits
 *                 the presentation's holder), "wrongChallenge": false}
 * Output: {"presentation": {...}, "did": "did:key:..."}
 */
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

import {errorMessages, printJson, readJsonInput} from './lib/io.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

async function main() {
  const {challenge, domain, holder = true} = await readJsonInput();
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const presentation = vc.createPresentation(holder ? {holder: did} : {});
  presentation['@context'] = ['https://www.w3.org/ns/credentials/v2'];
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
  const signed = await vc.signPresentation({
    presentation, suite, challenge, domain, documentLoader: createDocumentLoader()
  });
  printJson({presentation: signed, did});
  return 0;
}

try {
  process.exitCode = await main();
} catch(error) {
  process.stderr.write(errorMessages(error).join('\n') + '\n');
  process.exitCode = 1;
}
