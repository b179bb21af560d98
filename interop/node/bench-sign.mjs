#!/usr/bin/env node
/*
 * Times @digitalbazaar/vc issue (eddsa-rdfc-2022) on unsigned credentials, one core, for the
 * batch-issuing benchmark (manage.py bench_issue): one warm-up round (JIT, context caches),
 * then `repeat` timed rounds over every credential.
 *
 * Input (file argument or stdin): as sign.mjs, plus "warmup" (rounds, default 1); "created"
 * may also be a list, one per credential (a batch signs each chunk at its own moment):
 *   {"credentials": [{...}, ...], "secretKeyMultibase": "z...", "publicKeyMultibase": "z...",
 *    "verificationMethod": "...", "created": "..." | ["...", ...],
 *    "documents": {"<url>": {...}}, "repeat": 3, "warmup": 1}
 *
 * Output (stdout): {"credentials": n, "repeat": r, "total_ms": t, "ms_per_credential": t/(n*r),
 *   "proofValues": [the proofValue of each credential, from the last round]}.
 */
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

import {errorMessages, printJson, readJsonInput} from './lib/io.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

async function signAll(credentials, key, created, documentLoader) {
  const signed = [];
  for(const [index, credential] of credentials.entries()) {
    const suite = new DataIntegrityProof({
      signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite,
      date: Array.isArray(created) ? created[index] : created
    });
    // vc.issue adds the proof to the object it is given: sign a fresh copy each time.
    signed.push(await vc.issue({
      credential: structuredClone(credential), suite, documentLoader
    }));
  }
  return signed;
}

async function main() {
  const input = await readJsonInput();
  const {secretKeyMultibase, verificationMethod, publicKeyMultibase, credentials} = input;
  const [controller] = verificationMethod.split('#');
  const key = await Ed25519Multikey.from({
    id: verificationMethod, controller, publicKeyMultibase, secretKeyMultibase
  });
  const documentLoader = createDocumentLoader({documents: input.documents || {}});
  const repeat = input.repeat || 1;
  for(let round = 0; round < (input.warmup ?? 1); ++round) {
    await signAll(credentials, key, input.created, documentLoader);
  }
  let signed = [];
  const start = process.hrtime.bigint();
  for(let round = 0; round < repeat; ++round) {
    signed = await signAll(credentials, key, input.created, documentLoader);
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  printJson({
    credentials: credentials.length, repeat, total_ms: totalMs,
    ms_per_credential: totalMs / (credentials.length * repeat),
    proofValues: signed.map(credential => credential.proof.proofValue)
  });
  return 0;
}

try {
  process.exitCode = await main();
} catch(error) {
  process.stderr.write(errorMessages(error).join('\n') + '\n');
  process.exitCode = 1;
}
