// `sipguard/ip` must not load phone metadata (libphonenumber-js) nor decimal.js: checked on the built
// package by listing every file an import loads in a fresh process. `npm test` builds before testing.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadedFiles } from '../../bench/module-graph.js';

const root = resolve(import.meta.dirname, '../..');
const fromRoot = (files: readonly string[]) => files.map((f) => f.slice(root.length + 1));

describe('the sipguard/ip entry point', () => {
  it('loads only its own dist files, no dependency (ESM)', () => {
    const files = fromRoot(loadedFiles(resolve(root, 'dist/ip.js')));
    expect(files).toContain('dist/ip.js');
    expect(files.filter((f) => f.startsWith('node_modules/'))).toEqual([]);
  });

  it('the same check sees libphonenumber-js and decimal.js behind the full entry point', () => {
    // Proves the ESM check above can fail: the detection is not blind to dependencies.
    const files = fromRoot(loadedFiles(resolve(root, 'dist/index.js')));
    expect(files.some((f) => f.startsWith('node_modules/libphonenumber-js/'))).toBe(true);
    expect(files.some((f) => f.startsWith('node_modules/decimal.js/'))).toBe(true);
  });

  it('requires no dependency (CommonJS), unlike the full entry point', () => {
    const required = (entry: string) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-e',
            `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`,
          ],
          { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
        ),
      ) as string[];
    const ip = fromRoot(required(resolve(root, 'dist/ip.cjs')));
    expect(ip).toContain('dist/ip.cjs');
    expect(ip.filter((f) => f.startsWith('node_modules/'))).toEqual([]);
    const full = fromRoot(required(resolve(root, 'dist/index.cjs')));
    expect(full.some((f) => f.startsWith('node_modules/libphonenumber-js/'))).toBe(true);
  });
});
