// What importing an entry point costs: the files it loads (found by module hooks in a fresh process),
// their bytes raw and gzipped, and the time `import()` takes in a fresh process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const HOOKS = pathToFileURL(join(import.meta.dirname, 'module-graph-hooks.mjs')).href;

/** Every file (absolute path) that `import(entry)` loads in a fresh Node process, sorted, de-duplicated. */
export function loadedFiles(entry: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sipguard-graph-'));
  const log = join(dir, 'modules.log');
  try {
    const script = [
      "import { register } from 'node:module';",
      `register(${JSON.stringify(HOOKS)});`,
      `await import(${JSON.stringify(pathToFileURL(entry).href)});`,
    ].join('\n');
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, SIPGUARD_MODULE_LOG: log, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    return [...new Set(urls.map((u) => fileURLToPath(u)))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes of a set of files: as stored, and each file gzipped (level 9) then summed. */
export function fileBytes(files: readonly string[]): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    raw += statSync(file).size;
    gzip += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  return { raw, gzip };
}

/** Milliseconds `await import(entry)` takes in a fresh Node process (no hooks, no tsx). */
export function coldImportMs(entry: string): number {
  const script = [
    'const start = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(entry).href)});`,
    'process.stdout.write(String(performance.now() - start));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return Number(out);
}
