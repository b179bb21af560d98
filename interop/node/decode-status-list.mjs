#!/usr/bin/env node
/*
 * Decodes a Bitstring Status List "encodedList" with @digitalbazaar/vc-bitstring-status-list
 * and prints the indices whose bit is set.
 *
 * Input: the encodedList as the first argument, or on stdin either the bare string, JSON
 * {"encodedList": "u..."}, or a BitstringStatusListCredential.
 * Output: {"length": <bits>, "set": [indices...]}; exit code 1 on a decoding error.
 */
import {decodeList} from '@digitalbazaar/vc-bitstring-status-list';

async function readEncodedList() {
  const arg = process.argv.slice(2).find(a => !a.startsWith('--'));
  if(arg) {
    return arg;
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if(!text.startsWith('{')) {
    return text;
  }
  const value = JSON.parse(text);
  return value.encodedList ?? value.credentialSubject?.encodedList;
}

try {
  const encodedList = await readEncodedList();
  if(typeof encodedList !== 'string') {
    throw new Error('No "encodedList" string in the input.');
  }
  const list = await decodeList({encodedList});
  const set = [];
  for(let index = 0; index < list.length; ++index) {
    if(list.getStatus(index)) {
      set.push(index);
    }
  }
  process.stdout.write(JSON.stringify({length: list.length, set}) + '\n');
} catch(error) {
  process.stderr.write(`${error.message || error}\n`);
  process.exitCode = 1;
}
