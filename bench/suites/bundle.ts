// Bundle cost of each entry point of the built package (dist/, ESM): the files importing it loads,
// their bytes raw and gzipped, split into sipguard's own files and its dependencies, and the time a
// cold `import()` takes in a fresh process. `npm run bench` builds first; run `npm run build` before
// `--suite=bundle` or `--smoke`.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { type BenchMeasure, type BenchSuite, median } from '../harness.js';
import { coldImportMs, fileBytes, loadedFiles } from '../module-graph.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ENTRIES = [
  { name: 'sipguard/ip', file: resolve(ROOT, 'dist/ip.js') },
  { name: 'sipguard', file: resolve(ROOT, 'dist/index.js') },
] as const;
const IMPORT_RUNS = 11;

// What an application bundler keeps of one import (esbuild, minified, for browsers): the cost of
// `import { IpAllowList } from 'sipguard'` should stay within 2x that of `sipguard/ip`.
const SINGLE_IMPORTS = [
  { name: 'IpAllowList', from: 'sipguard/ip', file: 'dist/ip.js' },
  { name: 'IpAllowList', from: 'sipguard', file: 'dist/index.js' },
  { name: 'parseIpEntry', from: 'sipguard', file: 'dist/index.js' },
  { name: 'parseRate', from: 'sipguard', file: 'dist/index.js' },
  { name: 'parseRate', from: 'sipguard/rate', file: 'dist/rate.js' },
  { name: 'RateTable', from: 'sipguard', file: 'dist/index.js' },
  { name: 'classifyDialed', from: 'sipguard', file: 'dist/index.js' },
  { name: 'compilePolicy', from: 'sipguard', file: 'dist/index.js' },
] as const;

function singleImportBytes(name: string, file: string): { raw: number; gzip: number } {
  const result = buildSync({
    stdin: { contents: `export { ${name} } from ${JSON.stringify(resolve(ROOT, file))};`, resolveDir: ROOT },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    logLevel: 'error',
  });
  const output = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { raw: output.length, gzip: gzipSync(output, { level: 9 }).length };
}

function measures(smoke: boolean): BenchMeasure[] {
  const out: BenchMeasure[] = [];
  const add = (name: string, unit: BenchMeasure['unit'], value: number) =>
    out.push({ suite: 'bundle', name, unit, value });
  for (const entry of ENTRIES) {
    if (!existsSync(entry.file))
      throw new Error(`${relative(ROOT, entry.file)} is missing: run npm run build`);
    const files = loadedFiles(entry.file);
    const own = files.filter((f) => !relative(ROOT, f).startsWith('node_modules'));
    const all = fileBytes(files);
    const mine = fileBytes(own);
    add(`files loaded: ${entry.name}`, 'count', files.length);
    add(`bytes: ${entry.name}, sipguard's own files, raw`, 'bytes', mine.raw);
    add(`bytes: ${entry.name}, sipguard's own files, gzip`, 'bytes', mine.gzip);
    add(`bytes: ${entry.name}, with dependencies, raw`, 'bytes', all.raw);
    add(`bytes: ${entry.name}, with dependencies, gzip`, 'bytes', all.gzip);
  }
  // Alternate the entries so that a burst of load on the shared machine hits both alike.
  const times = ENTRIES.map(() => [] as number[]);
  for (let run = 0; run < (smoke ? 1 : IMPORT_RUNS); run++) {
    ENTRIES.forEach((entry, i) => {
      times[i]?.push(coldImportMs(entry.file));
    });
  }
  ENTRIES.forEach((entry, i) => {
    add(`import: ${entry.name}, cold, in a fresh process`, 'ms', median(times[i] ?? []));
  });
  for (const single of SINGLE_IMPORTS) {
    const bytes = singleImportBytes(single.name, single.file);
    add(`bundle: { ${single.name} } from '${single.from}', minified`, 'bytes', bytes.raw);
    add(`bundle: { ${single.name} } from '${single.from}', minified, gzip`, 'bytes', bytes.gzip);
  }
  return out;
}

/** The bundle suite: measures only, no timed groups. */
export const bundleSuite: BenchSuite = { name: 'bundle', groups: () => [], measures };
