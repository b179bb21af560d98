/* Reading JSON input (a file named on the command line, or stdin) and printing JSON output. */
import {readFile} from 'node:fs/promises';

export async function readJsonInput(argv = process.argv.slice(2)) {
  const file = argv.find(arg => !arg.startsWith('--'));
  let text;
  if(file && file !== '-') {
    text = await readFile(file, 'utf8');
  } else {
    const chunks = [];
    for await (const chunk of process.stdin) {
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  }
  return JSON.parse(text);
}

export function printJson(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Flattens the nested errors jsonld-signatures and vc report into plain strings. */
export function errorMessages(error) {
  const messages = [];
  const seen = new Set();
  const visit = err => {
    if(!err || seen.has(err)) {
      return;
    }
    seen.add(err);
    if(Array.isArray(err)) {
      err.forEach(visit);
      return;
    }
    const nested = Array.isArray(err.errors) ? err.errors : [];
    if(nested.length === 0 || !(err.name === 'VerificationError')) {
      let message = err.message || String(err);
      const event = err.details && err.details.event;
      if(event) {
        message += ` (${event.code}: ${event.message}` +
          (event.details ? ` ${JSON.stringify(event.details)}` : '') + ')';
      }
      messages.push(`${err.name || 'Error'}: ${message}`);
    }
    nested.forEach(visit);
    if(err.cause) {
      visit(err.cause);
    }
  };
  visit(error);
  return messages;
}
