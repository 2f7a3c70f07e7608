// The module map of docs/architecture.md, enforced: reads the import graph of src/ (type imports too)
// and fails on an import cycle, on an import that runs upward or sideways between layers, on I/O
// outside src/cli, and on a package a layer does not own. It stands in for a graph viewer.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };

const SRC = resolve(import.meta.dirname, '../../src');

/** Layers from the bottom: a module may import its own unit and units of lower layers only. */
const LAYERS: readonly (readonly string[])[] = [
  ['text.ts', 'e164.ts'],
  ['errors.ts'],
  ['ip', 'phone', 'rate', 'limits', 'json'], // peers: none imports another
  ['policy'],
  ['cases'],
  ['index.ts'],
  ['cli'],
];

/** The packages each unit may import (a package's subpaths count as the package). */
const PACKAGES: Readonly<Record<string, readonly string[]>> = {
  phone: ['libphonenumber-js'],
  rate: ['decimal.js'],
  // The Redis ledger's client: an optional peer dependency, loaded by one module with import().
  cli: ['@redis/client'],
};

/** The one module that may load the Redis client, and only by a dynamic import (or for its types). */
const REDIS_CLIENT_MODULE = 'cli/ledger/redis-connection.ts';

/** The unit of a file under src/: its top folder, or the file itself at the top. */
function unitOf(file: string): string {
  return file.split('/')[0] ?? file;
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** Every import of every file: `from` and `to` relative to src/ (`to` is a specifier when outside it). */
interface Edge {
  readonly from: string;
  readonly to: string;
  readonly local: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

function readEdges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }) => {
      if (!fileName.startsWith('.')) return { from: file, to: fileName, local: false };
      const target = relative(SRC, resolve(SRC, dirname(file), fileName)).replace(/\.js$/, '.ts');
      return { from: file, to: target, local: !target.startsWith('..') };
    });
  });
}

/** What is wrong with one import under the layering rules, or undefined. */
function layeringProblem(edge: Edge): string | undefined {
  const fromUnit = unitOf(edge.from);
  const where = `${edge.from} imports ${edge.to}`;
  if (!edge.local) {
    if (edge.to.startsWith('node:'))
      return fromUnit === 'cli' ? undefined : `${where}: only src/cli does I/O`;
    if (edge.to.endsWith('package.json'))
      return fromUnit === 'cli' ? undefined : `${where}: only src/cli reads it`;
    const name = packageName(edge.to);
    return (PACKAGES[fromUnit] ?? []).includes(name)
      ? undefined
      : `${where}: ${name} is not a package of ${fromUnit}`;
  }
  const toUnit = unitOf(edge.to);
  if (fromUnit === toUnit) return undefined;
  // The CLI is a client of the public API, plus the one way messages quote input.
  if (fromUnit === 'cli')
    return ['index.ts', 'text.ts'].includes(toUnit) ? undefined : `${where}: src/cli uses the public API`;
  // src/policy reaches ip, phone and rate through deps.ts alone, so the agreed interfaces are named once.
  if (fromUnit === 'policy' && layerOf(toUnit) === layerOf('ip') && edge.from !== 'policy/deps.ts') {
    return `${where}: src/policy imports the ip, phone and rate modules through policy/deps.ts`;
  }
  return layerOf(toUnit) < layerOf(fromUnit) ? undefined : `${where}: ${toUnit} is not below ${fromUnit}`;
}

/** Every import cycle among local files, each as the files along it. */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to, local } of edges) if (local) next.set(from, [...(next.get(from) ?? []), to]);
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...path.slice(path.indexOf(file)), file]);
      return;
    }
    state.set(file, 'open');
    path.push(file);
    for (const to of next.get(file) ?? []) visit(to);
    path.pop();
    state.set(file, 'done');
  };
  for (const file of next.keys()) visit(file);
  return found;
}

const edges = readEdges();

describe('the import graph of src/', () => {
  it('reads the imports of every module', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'policy/policy.ts', to: 'policy/deps.ts', local: true });
    expect(edges).toContainEqual({ from: 'phone/metadata.ts', to: 'libphonenumber-js/core', local: false });
  });

  it('has no import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('has no import that runs upward or sideways, no I/O outside src/cli, no foreign package', () => {
    expect(edges.map(layeringProblem).filter((p) => p !== undefined)).toEqual([]);
  });

  it('imports every runtime dependency and optional peer, and no development dependency', () => {
    const packages = edges.filter((e) => !e.local && !e.to.startsWith('.') && !e.to.startsWith('node:'));
    const imported = new Set(packages.map((e) => packageName(e.to)));
    const declared = [...Object.keys(packageJson.dependencies), ...Object.keys(packageJson.peerDependencies)];
    expect([...imported].sort()).toEqual(declared.sort());
  });

  it('keeps the library entry free of the CLI and of the Redis client', () => {
    const next = new Map<string, Edge[]>();
    for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge]);
    const reached = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const edge of next.get(file) ?? []) {
        if (edge.local) visit(edge.to);
        else packages.add(packageName(edge.to));
      }
    };
    visit('index.ts');
    expect(reached.size).toBeGreaterThan(30);
    expect([...reached].filter((file) => unitOf(file) === 'cli')).toEqual([]);
    expect([...packages].filter((name) => !name.startsWith('node:')).sort()).toEqual(
      Object.keys(packageJson.dependencies).sort(),
    );
  });

  it('loads the Redis client in one module, only with import()', () => {
    const importers = edges
      .filter((e) => !e.local && packageName(e.to) === '@redis/client')
      .map((e) => e.from);
    expect([...new Set(importers)]).toEqual([REDIS_CLIENT_MODULE]);
    const text = readFileSync(join(SRC, REDIS_CLIENT_MODULE), 'utf8');
    // A static value import would load the client with the module; `import type` and import() do not.
    expect(text).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'@redis\/client'/m);
    expect(text).toContain("await import('@redis/client')");
  });
});

describe('the checks themselves', () => {
  it.each<[Edge, string | undefined]>([
    [{ from: 'ip/entry.ts', to: 'errors.ts', local: true }, undefined],
    [
      { from: 'errors.ts', to: 'policy/spec.ts', local: true },
      'errors.ts imports policy/spec.ts: policy is not below errors.ts',
    ],
    [
      { from: 'rate/money.ts', to: 'phone/metadata.ts', local: true },
      'rate/money.ts imports phone/metadata.ts: phone is not below rate',
    ],
    [
      { from: 'policy/compile.ts', to: 'ip/allow-list.ts', local: true },
      'policy/compile.ts imports ip/allow-list.ts: src/policy imports the ip, phone and rate modules through policy/deps.ts',
    ],
    [
      { from: 'cli/run.ts', to: 'policy/compile.ts', local: true },
      'cli/run.ts imports policy/compile.ts: src/cli uses the public API',
    ],
    [
      { from: 'rate/deck.ts', to: 'node:fs', local: false },
      'rate/deck.ts imports node:fs: only src/cli does I/O',
    ],
    [
      { from: 'ip/entry.ts', to: 'ipaddr.js', local: false },
      'ip/entry.ts imports ipaddr.js: ipaddr.js is not a package of ip',
    ],
    [{ from: 'phone/split.ts', to: 'libphonenumber-js/core', local: false }, undefined],
  ])('%j -> %s', (edge, expected) => {
    expect(layeringProblem(edge)).toBe(expected);
  });

  it('finds a cycle', () => {
    const edge = (from: string, to: string): Edge => ({ from, to, local: true });
    expect(
      cycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts')]),
    ).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(cycles([edge('a.ts', 'b.ts'), edge('a.ts', 'c.ts'), edge('c.ts', 'b.ts')])).toEqual([]);
  });
});
