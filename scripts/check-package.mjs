// Packaging checks run by `npm test` after the build: publint, attw on the packed tarball, a smoke
// test that installs the tarball where the source tree cannot be seen, a check that every value
// the type declarations promise exists in the ESM and the CommonJS entry (and nothing more), and
// the docs' samples compiled and run against that installed package (scripts/doc-samples.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { checkDocSamples, documentationFiles } from './doc-samples.mjs';

// Each smoke file calls real functions through both entry points and fails loudly on a wrong answer.
const SMOKE_ESM = `
import assert from 'node:assert/strict';
import { emergencyNumbersOf, IpAllowList, SipguardError } from 'sipguard';
import { parseIpEntry } from 'sipguard/ip';
import { parseRate, RateTable } from 'sipguard/rate';
assert.equal(RateTable.fromCsv('Dial Code;Price per Minute\\n1876;0.12').lookup('+18765550100').rate.equals(parseRate('$0.1200')), true);
assert.deepEqual(emergencyNumbersOf('GB'), ['112', '999']);
const entry = parseIpEntry('195.168.1.0/255.255.255.0');
assert.deepEqual(entry, { source: '195.168.1.0/255.255.255.0', kind: 'mask', family: 4, first: '195.168.1.0', last: '195.168.1.255' });
assert.throws(() => parseIpEntry('010.1.1.1'), (e) => e instanceof SipguardError && e.code === 'leading-zero');
const list = IpAllowList.from(['195.168.1.1-195.168.1.100', '2001:db8::/32']);
assert.equal(list.has('195.168.1.42'), true);
assert.equal(list.has('::ffff:195.168.1.42'), true);
assert.equal(list.has('195.168.1.101'), false);
assert.equal(list.has('2001:db8::1'), true);
console.log('esm ok');
`;
const SMOKE_CJS = `
const assert = require('node:assert/strict');
const { emergencyNumbersOf, IpAllowList, SipguardError } = require('sipguard');
assert.deepEqual(emergencyNumbersOf('AU'), ['000', '106', '112']);
const { parseIpEntry } = require('sipguard/ip');
const { parseRate } = require('sipguard/rate');
assert.equal(parseRate('$0.0500').toString(), '0.05');
const entry = parseIpEntry('2001:DB8::1 - 2001:db8::ff');
assert.deepEqual([entry.kind, entry.family, entry.first, entry.last], ['range', 6, '2001:db8::1', '2001:db8::ff']);
assert.throws(() => parseIpEntry('pbx.example.com'), (e) => e instanceof SipguardError && e.code === 'domain-not-supported');
const list = IpAllowList.from(['195.168.1.0/24']);
assert.equal(list.has('195.168.1.200'), true);
assert.equal(list.has('195.168.2.1'), false);
assert.equal(list.probe('195.168.1.1:5060'), -2);
console.log('cjs ok');
`;

// Errors thrown by one build are recognized by the other: the two builds have two SipguardError classes.
const SMOKE_DUAL = `
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { SipguardError } from 'sipguard';
const cjs = createRequire(import.meta.url)('sipguard');
assert.notEqual(cjs.SipguardError, SipguardError);
let thrown;
try { cjs.parseIpEntry('010.1.1.1'); } catch (e) { thrown = e; }
assert.equal(SipguardError.is(thrown), true);
assert.equal(thrown instanceof SipguardError, true);
assert.equal(thrown.code, 'leading-zero');
console.log('dual ok');
`;

// Prints the names each entry exports at run time: ESM namespace keys and CommonJS exports.
const RUNTIME_EXPORTS = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const entry of ['sipguard', 'sipguard/ip', 'sipguard/rate']) {
  out[entry] = { esm: Object.keys(await import(entry)).sort(), cjs: Object.keys(require(entry)).sort() };
}
console.log(JSON.stringify(out));
`;

/**
 * The names a declaration file exports as values (a class, a function, a constant), following
 * re-exports; a name exported with `export type` anywhere along the way is a type only.
 */
function declaredValues(file) {
  const program = ts.createProgram([file], {
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`cannot read the exports of ${file}`);
  const values = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    let symbol = exported;
    let typeOnly = false;
    while (symbol.flags & ts.SymbolFlags.Alias) {
      if (symbol.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) typeOnly = true;
      const next = checker.getImmediateAliasedSymbol(symbol);
      if (next === undefined) break;
      symbol = next;
    }
    if (!typeOnly && symbol.flags & ts.SymbolFlags.Value) values.push(exported.name);
  }
  return values.sort();
}

// Every node_modules/sipguard/… path the docs, README and schema name exists in the installed package
// (an editor told a path that does not exist says "Unable to load schema"), and the schema export resolves.
function checkDocumentedPaths(app) {
  const root = resolve(import.meta.dirname, '..');
  const texts = [
    'README.md',
    'schema/policy.schema.json',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const missing = [];
  let named = 0;
  for (const file of texts) {
    for (const [path] of readFileSync(join(root, file), 'utf8').matchAll(
      /node_modules\/sipguard\/[\w./-]*\w/g,
    )) {
      named++;
      if (!existsSync(join(app, path))) missing.push(`${file}: ${path}`);
    }
  }
  if (named === 0)
    throw new Error('no documented node_modules/sipguard path found: the check would prove nothing');
  if (missing.length > 0)
    throw new Error(`documented paths missing from the installed package:\n${missing.join('\n')}`);
  const resolved = execFileSync('node', ['-p', "require.resolve('sipguard/policy.schema.json')"], {
    cwd: app,
    encoding: 'utf8',
  }).trim();
  if (!existsSync(resolved))
    throw new Error(`sipguard/policy.schema.json resolves to ${resolved}, which does not exist`);
}

// Every relative link of the installed README, CHANGELOG and docs/ reaches a file of the installed
// package: the docs read the same from node_modules/sipguard and from the repository.
function checkDocLinks(app) {
  const pkg = join(app, 'node_modules/sipguard');
  const broken = [];
  let relativeLinks = 0;
  for (const file of [...documentationFiles(pkg), 'CHANGELOG.md']) {
    const text = readFileSync(join(pkg, file), 'utf8')
      .replace(/^\s*```[\s\S]*?^\s*```/gm, '')
      .replace(/`[^`\n]*`/g, '');
    const targets = [
      ...[...text.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)].map((m) => m[1]),
      ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      relativeLinks++;
      const path = decodeURIComponent(target.replace(/#.*$/, ''));
      if (!existsSync(join(pkg, dirname(file), path))) broken.push(`${file}: ${target}`);
    }
  }
  if (relativeLinks === 0)
    throw new Error('no relative link found in the docs: the check would prove nothing');
  if (broken.length > 0)
    throw new Error(`links that do not reach a file of the installed package:\n  ${broken.join('\n  ')}`);
  console.log(`doc links: ${relativeLinks} relative links, all in the package`);
}

function checkDeclaredValues(app) {
  const runtime = JSON.parse(execFileSync('node', ['exports.mjs'], { cwd: app, encoding: 'utf8' }));
  const dist = join(app, 'node_modules/sipguard/dist');
  const declarations = {
    sipguard: { esm: 'index.d.ts', cjs: 'index.d.cts' },
    'sipguard/ip': { esm: 'ip.d.ts', cjs: 'ip.d.cts' },
    'sipguard/rate': { esm: 'rate.d.ts', cjs: 'rate.d.cts' },
  };
  const problems = [];
  for (const [entry, files] of Object.entries(declarations)) {
    for (const format of ['esm', 'cjs']) {
      const declared = declaredValues(join(dist, files[format]));
      const present = runtime[entry][format];
      for (const name of declared.filter((n) => !present.includes(n))) {
        problems.push(
          `${entry} (${format}): ${name} is declared as a value in ${files[format]} but not exported`,
        );
      }
      for (const name of present.filter((n) => !declared.includes(n))) {
        problems.push(
          `${entry} (${format}): ${name} is exported but not declared as a value in ${files[format]}`,
        );
      }
      console.log(`${entry} (${format}): ${declared.length} declared values, ${present.length} exported`);
    }
  }
  if (problems.length > 0) throw new Error(`declarations and entries disagree:\n  ${problems.join('\n  ')}`);
}

// The Redis client is an optional peer of `sipguard serve`: installing sipguard does not bring it, and
// no library file (an entry or a chunk) names it, so that the library never tries to load it.
function checkNoRedisClient(app) {
  if (existsSync(join(app, 'node_modules/@redis/client'))) {
    throw new Error('installing sipguard installed @redis/client: it must stay an optional peer dependency');
  }
  const dist = join(app, 'node_modules/sipguard/dist');
  const cliFiles = new Set(['cli.js', 'serve-worker.js']);
  const library = readdirSync(dist).filter((f) => /\.c?js$/.test(f) && !cliFiles.has(f));
  const naming = library.filter((f) => readFileSync(join(dist, f), 'utf8').includes('@redis/client'));
  if (library.length < 4 || naming.length > 0) {
    throw new Error(`library files that name @redis/client: ${naming.join(', ')} (of ${library.join(', ')})`);
  }
  console.log(`@redis/client: not installed, named by none of ${library.length} library files`);
}

const root = resolve(import.meta.dirname, '..');
const run = (cmd, args, cwd = root) => {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit' });
};

run('npx', ['publint', '--strict']);

const work = mkdtempSync(join(tmpdir(), 'sipguard-pack-'));
try {
  run('npm', ['pack', '--pack-destination', work, '--silent']);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  const tgz = join(work, tarball);

  run('npx', ['attw', tgz, '--profile', 'node16']);

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', tgz], app);

  writeFileSync(join(app, 'smoke.mjs'), SMOKE_ESM);
  writeFileSync(join(app, 'smoke.cjs'), SMOKE_CJS);
  writeFileSync(join(app, 'dual.mjs'), SMOKE_DUAL);
  writeFileSync(join(app, 'exports.mjs'), RUNTIME_EXPORTS);
  run('node', ['smoke.mjs'], app);
  run('node', ['smoke.cjs'], app);
  run('node', ['dual.mjs'], app);
  checkDeclaredValues(app);
  checkDocumentedPaths(app);
  checkNoRedisClient(app);
  checkDocLinks(app);
  const samples = checkDocSamples(root, app);
  console.log(`doc samples: ${samples.samples} found, ${samples.checked} type-checked, ${samples.run} run`);
  console.log('package checks passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
