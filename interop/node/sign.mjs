#!/usr/bin/env node
/*
 * Signs unsigned credentials with Digital Bazaar's @digitalbazaar/vc (issue) and the
 * eddsa-rdfc-2022 Data Integrity cryptosuite, for comparing outputs and speed with MC Portal.
 *
 * Input (file argument or stdin):
 *   {"credential": {...} | "credentials": [{...}, ...],
 *    "secretKeyMultibase": "z...", "publicKeyMultibase": "z..." (optional, derived if absent),
 *    "verificationMethod": "did:key:...#...", "created": "2024-01-01T00:00:00Z" (optional),
 *    "documents": {"<url>": {...}} (optional), "repeat": 1 (optional)}
 *
 * Output: the signed credential (or a list, for "credentials") on stdout; timing as JSON on
 * stderr: {"credentials": n, "repeat": r, "total_ms": t, "ms_per_credential": t/(n*r)}.
 */
import {createPrivateKey, createPublicKey} from 'node:crypto';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import * as base58btc from 'base58-universal';

import {errorMessages, printJson, readJsonInput} from './lib/io.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function publicKeyMultibaseFromSecret(secretKeyMultibase) {
  const bytes = base58btc.decode(secretKeyMultibase.slice(1));
  if(bytes[0] !== 0x80 || bytes[1] !== 0x26) {
    throw new Error('"secretKeyMultibase" is not an Ed25519 secret key (0x8026).');
  }
  const seed = Buffer.from(bytes.slice(2, 34));
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8'
  });
  const raw = Buffer.from(createPublicKey(privateKey).export({format: 'jwk'}).x, 'base64url');
  return 'z' + base58btc.encode(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
}

async function main() {
  const input = await readJsonInput();
  const {secretKeyMultibase, verificationMethod} = input;
  const publicKeyMultibase = input.publicKeyMultibase ||
    publicKeyMultibaseFromSecret(secretKeyMultibase);
  const [controller] = verificationMethod.split('#');
  const key = await Ed25519Multikey.from({
    id: verificationMethod, controller, publicKeyMultibase, secretKeyMultibase
  });
  const documentLoader = createDocumentLoader({documents: input.documents || {}});
  const credentials = input.credentials || [input.credential];
  const repeat = input.repeat || 1;

  const signed = [];
  const start = process.hrtime.bigint();
  for(let round = 0; round < repeat; ++round) {
    signed.length = 0;
    for(const credential of credentials) {
      const suite = new DataIntegrityProof({
        signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite,
        date: input.created
      });
      // vc.issue adds the proof to the object it is given: sign a fresh copy each time.
      signed.push(await vc.issue({
        credential: structuredClone(credential), suite, documentLoader
      }));
    }
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  process.stderr.write(JSON.stringify({
    credentials: credentials.length, repeat, total_ms: totalMs,
    ms_per_credential: totalMs / (credentials.length * repeat)
  }) + '\n');
  printJson(input.credentials ? signed : signed[0]);
  return 0;
}

try {
  process.exitCode = await main();
} catch(error) {
  process.stderr.write(errorMessages(error).join('\n') + '\n');
  process.exitCode = 1;
}
