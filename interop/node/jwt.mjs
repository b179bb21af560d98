#!/usr/bin/env node
/*
 * VC-JWT with panva's `jose`, a JOSE implementation independent of the portal's (joserfc):
 *
 *   {"sign": {"credential": {...}, "alg": "RS256" | "ES256" | "EdDSA",
 *             "issuer": "did:jwk" (make the issuer the key's did:jwk) | "<id>" (keep it),
 *             "header": "jwk" | "kid"}}
 *     -> {"token": "...", "issuer": "did:jwk:...", "publicJwk": {...}}
 *     A fresh key pair; the credential goes in the `vc` claim with iss, sub, nbf, jti, exp
 *     restating it (1EdTech OB 3.0 §8.2).
 *
 *   {"proof": {"aud": "...", "nonce": "...", "alg": "ES256" | "EdDSA", "holder": "jwk" |
 *              "did:jwk" | "did:key", "iat": seconds (optional), "wrongKey": false}}
 *     -> {"jwt": "...", "did": "..."}: an OpenID4VCI proof of possession (typ
 *     openid4vci-proof+jwt) by a fresh key; wrongKey signs with another key than the one named.
 *
 *   {"verify": {"token": "...", "jwk": {...}}} | {"verify": {"token": "...", "jwks": {...}}}
 *     -> {"verified": true, "header": {...}, "payload": {...}} or {"verified": false, "error"}
 */
import * as jose from 'jose';
import * as base58btc from 'base58-universal';

import {printJson, readJsonInput} from './lib/io.mjs';

const CURVES = {ES256: {}, EdDSA: {crv: 'Ed25519'}, RS256: {modulusLength: 2048}};

function epoch(value) {
  return value ? Math.floor(Date.parse(value) / 1000) : undefined;
}

async function sign({credential, alg = 'RS256', issuer = 'did:jwk', header = 'jwk'}) {
  const {publicKey, privateKey} = await jose.generateKeyPair(alg, {...CURVES[alg], extractable: true});
  const publicJwk = await jose.exportJWK(publicKey);
  const vc = structuredClone(credential);
  if(issuer === 'did:jwk') {
    const did = 'did:jwk:' + Buffer.from(JSON.stringify(publicJwk)).toString('base64url');
    if(typeof vc.issuer === 'object') {
      vc.issuer.id = did;
    } else {
      vc.issuer = did;
    }
  }
  const issuerId = typeof vc.issuer === 'object' ? vc.issuer.id : vc.issuer;
  const protectedHeader = {alg, typ: 'JWT'};
  if(header === 'jwk') {
    protectedHeader.jwk = publicJwk;
  } else {
    protectedHeader.kid = issuerId + '#0';
  }
  const claims = {vc, iss: issuerId, nbf: epoch(vc.validFrom || vc.issuanceDate)};
  if(vc.id) {
    claims.jti = vc.id;
  }
  if(vc.credentialSubject && vc.credentialSubject.id) {
    claims.sub = vc.credentialSubject.id;
  }
  if(vc.validUntil || vc.expirationDate) {
    claims.exp = epoch(vc.validUntil || vc.expirationDate);
  }
  const token = await new jose.SignJWT(claims).setProtectedHeader(protectedHeader).sign(privateKey);
  return {token, issuer: issuerId, publicJwk};
}

function didKey(publicJwk) {
  const raw = Buffer.from(publicJwk.x, 'base64url');
  return 'did:key:z' + base58btc.encode(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
}

async function proof({aud, nonce, alg = 'ES256', holder = 'did:jwk', iat, wrongKey = false}) {
  const options = {...CURVES[alg], extractable: true};
  const {publicKey, privateKey} = await jose.generateKeyPair(alg, options);
  const signer = wrongKey ? (await jose.generateKeyPair(alg, options)).privateKey : privateKey;
  const publicJwk = await jose.exportJWK(publicKey);
  const header = {alg, typ: 'openid4vci-proof+jwt'};
  let did;
  if(holder === 'jwk') {
    header.jwk = publicJwk;
  } else if(holder === 'did:key') {
    did = didKey(publicJwk);
    header.kid = `${did}#${did.slice('did:key:'.length)}`;
  } else {
    did = 'did:jwk:' + Buffer.from(JSON.stringify(publicJwk)).toString('base64url');
    header.kid = did + '#0';
  }
  const claims = {aud, nonce, iat: iat ?? Math.floor(Date.now() / 1000)};
  const jwt = await new jose.SignJWT(claims).setProtectedHeader(header).sign(signer);
  return {jwt, did, publicJwk};
}

async function verify({token, jwk, jwks}) {
  try {
    const key = jwks ? jose.createLocalJWKSet(jwks) : await jose.importJWK(jwk, jose.decodeProtectedHeader(token).alg);
    const {payload, protectedHeader} = await jose.jwtVerify(token, key, {currentDate: new Date('2030-01-01T00:00:00Z')});
    return {verified: true, header: protectedHeader, payload};
  } catch(error) {
    return {verified: false, error: `${error.code || error.name}: ${error.message}`};
  }
}

const input = await readJsonInput();
if(input.sign) {
  printJson(await sign(input.sign));
} else if(input.proof) {
  printJson(await proof(input.proof));
} else {
  printJson(await verify(input.verify));
}
