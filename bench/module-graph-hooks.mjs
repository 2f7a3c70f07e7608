// Module hooks for `module.register`: append every resolved file: URL, one per line, to the file named
// by SIPGUARD_MODULE_LOG. Used to list exactly which files importing an entry point loads.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const log = process.env.SIPGUARD_MODULE_LOG;
  if (log && result.url.startsWith('file:')) appendFileSync(log, `${result.url}\n`);
  return result;
}
