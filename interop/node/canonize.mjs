#!/usr/bin/env node
/*
 * Prints the RDFC-1.0 canonical N-Quads of a JSON-LD document exactly as the
 * eddsa-rdfc-2022 cryptosuite computes them (jsonld.js toRDF in safe mode + rdf-canonize),
 * for byte-for-byte comparison with MC Portal's canonical_nquads().
 *
 * Input (file argument or stdin): a JSON-LD document, or
 *   {"document": {...}, "documents": {"<url>": {...}}}
 * Output: the canonical N-Quads on stdout; on error the message on stderr and exit code 1.
 *
 * Batch mode: {"batch": [doc, ...], "documents": {...}} prints
 * {"results": [{"nquads": "..."} | {"error": "..."}, ...]} (exit code 0).
 */
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {errorMessages, readJsonInput} from './lib/io.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

try {
  const input = await readJsonInput();
  const wrapped = input && typeof input === 'object' && !('@context' in input) &&
    ('document' in input || 'batch' in input);
  const documentLoader = createDocumentLoader({documents: (wrapped && input.documents) || {}});
  const canonize = document => eddsaRdfc2022CryptoSuite.canonize(document, {documentLoader});
  if(wrapped && Array.isArray(input.batch)) {
    const results = [];
    for(const document of input.batch) {
      try {
        results.push({nquads: await canonize(document)});
      } catch(error) {
        results.push({error: errorMessages(error).join('; ')});
      }
    }
    process.stdout.write(JSON.stringify({results}) + '\n');
  } else {
    process.stdout.write(await canonize(wrapped ? input.document : input));
  }
} catch(error) {
  process.stderr.write(errorMessages(error).join('\n') + '\n');
  process.exitCode = 1;
}
