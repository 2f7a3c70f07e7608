// Doc samples that cannot drift: every ```ts block of README.md and docs/ is type-checked, all in one
// TypeScript program, against the package installed from the tarball, and the runnable ones are run.
// The info string says what a block is (the convention README.md states under "Documentation"):
//   ```ts          a sample: type-checked, then run (it must not throw)
//   ```ts no-run   type-checked only: it needs something the sample cannot have (a file, a caller)
//   ```ts sketch   a shape written for reading (e.g. `scope;` shorthand): parsed, never checked
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** The flags a ```ts block may carry after the language. */
export const SAMPLE_FLAGS = ['', 'no-run', 'sketch'];

/** README.md and every Markdown file under docs/, relative to `root`. */
export function documentationFiles(root) {
  const walk = (dir) =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...walk('docs')];
}

/**
 * The ```ts blocks of one Markdown text: `line` is the 1-based line of the block's first code line.
 * A flag outside SAMPLE_FLAGS is an error, so that a typo cannot exempt a sample silently.
 */
export function extractSamples(file, text) {
  const samples = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ts(?:\s+(.*?))?\s*$/.exec(lines[i]);
    if (open === null) continue;
    const indent = open[1].length;
    const flag = open[2] ?? '';
    if (!SAMPLE_FLAGS.includes(flag)) throw new Error(`${file}:${i + 1}: unknown sample flag "${flag}"`);
    const code = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) code.push(lines[j].slice(indent));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: the ts block is never closed`);
    samples.push({ file, line: i + 2, flag, code: `${code.join('\n')}\n` });
    i = j;
  }
  return samples;
}

function formatDiagnostic(diagnostic, where) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return message;
  const sample = where.get(diagnostic.file.fileName);
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const at = sample === undefined ? diagnostic.file.fileName : `${sample.file}:${sample.line + line}`;
  return `${at}: TS${diagnostic.code} ${message}`;
}

/**
 * Checks every sample of the docs under `root` in `app`, a project with the tarball installed.
 * Development tools the samples use as a user would (vitest, @types/node) are linked in from `root`.
 * Returns the counts; throws with every problem, each at its Markdown line.
 */
export function checkDocSamples(root, app) {
  const samples = documentationFiles(root).flatMap((file) =>
    extractSamples(file, readFileSync(join(root, file), 'utf8')),
  );
  if (samples.length === 0) throw new Error('no ts sample found in the docs: the check would prove nothing');

  mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules/vitest'), join(app, 'node_modules/vitest'), 'dir');
  symlinkSync(join(root, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'), 'dir');

  const dir = join(app, 'samples');
  mkdirSync(dir);
  const where = new Map();
  const problems = [];
  const checked = [];
  for (const sample of samples) {
    const base = `${sample.file.replace(/[/.]/g, '_')}_${sample.line}`;
    const path = join(dir, `${base}.ts`);
    sample.js = join(app, 'samples-js', `${base}.js`);
    writeFileSync(path, sample.code);
    where.set(path, sample);
    if (sample.flag !== 'sketch') {
      checked.push(path);
      continue;
    }
    const parsed = ts.createSourceFile(path, sample.code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const d of parsed.parseDiagnostics) problems.push(formatDiagnostic(d, where));
  }

  // The strictest settings a user may have: a sample that compiles here compiles for them.
  const program = ts.createProgram(checked, {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    outDir: join(app, 'samples-js'),
    rootDir: dir,
  });
  for (const d of ts.getPreEmitDiagnostics(program)) problems.push(formatDiagnostic(d, where));
  if (problems.length > 0) throw new Error(`doc samples do not compile:\n  ${problems.join('\n  ')}`);
  program.emit();

  // One Node process runs every runnable sample in turn and names each that throws.
  const runnable = samples.filter((s) => s.flag === '');
  const runner = join(app, 'run-samples.mjs');
  const entries = runnable.map((s) => ({ at: `${s.file}:${s.line}`, url: pathToFileURL(s.js).href }));
  writeFileSync(
    runner,
    `const failed = [];
for (const { at, url } of ${JSON.stringify(entries)}) {
  try { await import(url); } catch (error) { failed.push(at + ': ' + (error?.stack ?? String(error))); }
}
if (failed.length > 0) { console.error(failed.join('\\n')); process.exit(1); }
`,
  );
  try {
    execFileSync('node', [runner], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    throw new Error(`doc samples fail when run:\n${error.stderr}`);
  }
  return { samples: samples.length, checked: checked.length, run: runnable.length };
}
