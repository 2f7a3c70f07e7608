// The shipped JSON Schema as an editor sees it: VS Code's own JSON language service loads it through
// the document's `$schema` and is asked for completions and diagnostics, as a user typing would.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CompletionItem, getLanguageService, TextDocument } from 'vscode-json-languageservice';
import { compilePolicyJson } from '../../src/policy/compile.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCHEMA_REFERENCE = './schema/policy.schema.json';

const service = getLanguageService({
  // The editor reads the schema file the document names; only that file is ever asked for.
  schemaRequestService: async (uri) => readFileSync(fileURLToPath(uri), 'utf8'),
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});

function documentOf(text: string): TextDocument {
  return TextDocument.create(pathToFileURL(resolve(ROOT, 'policy.json')).href, 'json', 1, text);
}

/** The completions offered where `|` stands in `text` (the bar is removed first). */
async function completionsAt(textWithCursor: string): Promise<CompletionItem[]> {
  const offset = textWithCursor.indexOf('|');
  const document = documentOf(textWithCursor.replace('|', ''));
  const list = await service.doComplete(
    document,
    document.positionAt(offset),
    service.parseJSONDocument(document),
  );
  return list?.items ?? [];
}

/** Every diagnostic of a document, as the text it covers and the message. */
async function diagnosticsOf(policy: object): Promise<{ covers: string; message: string }[]> {
  const document = documentOf(JSON.stringify({ $schema: SCHEMA_REFERENCE, ...policy }, null, 2));
  const diagnostics = await service.doValidation(document, service.parseJSONDocument(document));
  return diagnostics.map((d) => ({
    covers: document.getText(d.range),
    message: typeof d.message === 'string' ? d.message : d.message.value,
  }));
}

const head = `{ "$schema": "${SCHEMA_REFERENCE}",`;

describe('completions', () => {
  it('offers the known regions for homeCountry, and not "UK"', async () => {
    const labels = (await completionsAt(`${head} "homeCountry": | }`)).map((item) => item.label);
    expect(labels).toEqual(expect.arrayContaining(['"US"', '"JM"', '"GB"']));
    expect(labels).not.toContain('"UK"');
    // Every label is a region the runtime validator accepts as homeCountry.
    for (const label of labels) {
      expect(() => compilePolicyJson({ homeCountry: JSON.parse(label) }), label).not.toThrow();
    }
  });

  it('offers the regions for a phone-context and in an extension', async () => {
    const inContext = await completionsAt(`${head} "phoneContexts": { "ims.example.net": | } }`);
    expect(inContext.map((item) => item.label)).toContain('"JM"');
    const inExtension = await completionsAt(`${head} "extensions": { "101": { "homeCountry": | } } }`);
    expect(inExtension.map((item) => item.label)).toContain('"US"');
  });

  it('offers every kind of calling-area selector in allow and deny', async () => {
    for (const list of ['allow', 'deny']) {
      const items = await completionsAt(`${head} "calling": { "${list}": [ | ] } }`);
      expect(items.map((item) => item.label).sort()).toEqual(
        ['region', 'region/type', '*/type', '+prefix', '001'].sort(),
      );
      const typeSnippet = items.find((item) => item.label === '*/type')?.insertText ?? '';
      // The number type is a snippet choice of the types the runtime knows.
      expect(typeSnippet).toContain('premium-rate');
      expect(typeSnippet).toContain('fixed-line-or-mobile');
    }
  });

  it('offers the emergency modes', async () => {
    const labels = (await completionsAt(`${head} "calling": { "emergency": | } }`)).map((i) => i.label);
    expect(labels.sort()).toEqual(['"allow"', '"apply-rules"']);
  });
});

describe('diagnostics', () => {
  it('accepts the bundled example policy with no diagnostic', async () => {
    const example = JSON.parse(readFileSync(resolve(ROOT, 'examples/policy.json'), 'utf8'));
    const { $schema: _ignored, ...policy } = example;
    expect(await diagnosticsOf(policy)).toEqual([]);
  });

  it.each<[string, object, string, RegExp]>([
    ['"UK" as homeCountry', { homeCountry: 'UK' }, '"UK"', /the United Kingdom is "GB", not "UK"/],
    ['a lower-case region', { homeCountry: 'us' }, '"us"', /upper-case ISO 3166-1 alpha-2/],
    [
      'a selector of the wrong shape',
      { calling: { allow: ['U.S.'] } },
      '"U.S."',
      /Not a calling-area selector/,
    ],
    [
      'a selector "UK/mobile"',
      { calling: { deny: ['UK/mobile'] } },
      '"UK/mobile"',
      /Not a calling-area selector/,
    ],
    [
      'a number type that does not exist',
      { calling: { deny: ['*/premium'] } },
      '"*/premium"',
      /"\*\/premium-rate"/,
    ],
    ['a cap with 5 decimals', { maxRatePerMinute: '0.00001' }, '"0.00001"', /at most 4 decimals/],
    ['a time zone as an offset', { timeZone: '+02:00' }, '"+02:00"', /IANA time zone/],
    [
      'a calling-hours entry with a day name',
      { callingHours: { allow: ['monday 08:00-18:00'] } },
      '"monday 08:00-18:00"',
      /"mon-fri 08:00-18:00"/,
    ],
    [
      'a phone-context key that is not a domain',
      { phoneContexts: { '+1': 'US' } },
      '"+1"',
      /Not a domain name/,
    ],
    [
      'an extension id ending with a space',
      { extensions: { '101 ': {} } },
      '"101 "',
      /no space at either end and no hidden character/,
    ],
    [
      'an extension id with a zero-width space',
      { extensions: { '10\u200b1': {} } },
      '"10\u200b1"',
      /no space at either end and no hidden character/,
    ],
  ])('says a human message for %s', async (_reason, policy, covers, message) => {
    const diagnostics = await diagnosticsOf(policy);
    const onValue = diagnostics.filter((d) => d.covers === covers);
    expect(onValue.length, JSON.stringify(diagnostics)).toBeGreaterThan(0);
    for (const d of onValue) {
      expect(d.message).toMatch(message);
      // Never the raw regular expression.
      expect(d.message).not.toMatch(/pattern|\^\(\?:/);
    }
  });
});

describe('the schema as a whole', () => {
  const schema: unknown = JSON.parse(readFileSync(resolve(ROOT, 'schema/policy.schema.json'), 'utf8'));

  /** Every subschema with a `pattern` or an `enum` and no `errorMessage`, by its path. */
  function unexplained(node: unknown, path: string): string[] {
    if (typeof node !== 'object' || node === null) return [];
    const here =
      !Array.isArray(node) && ('pattern' in node || 'enum' in node) && !('errorMessage' in node)
        ? [path]
        : [];
    return [
      ...here,
      ...Object.entries(node).flatMap(([key, value]) =>
        key === 'enum' ? [] : unexplained(value, `${path}/${key}`),
      ),
    ];
  }

  it('explains every pattern and every long list in words', () => {
    // Short enums (emergency, onUnknownRate) are left to the editor, which lists the valid values.
    const shortEnums = (path: string) => /\/(emergency|onUnknownRate)$/.test(path);
    expect(unexplained(schema, '').filter((path) => !shortEnums(path))).toEqual([]);
  });
});
