// D3 (issue 15): query values are read by RFC 3986 percent-decoding; a raw "+" is refused, so a request
// never decides differently from its correctly encoded twin.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQuery } from '../../src/cli/serve/query.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import { POLICY_A, policyText, RATES } from '../fixtures/serve-policies.js';
import { closeService, listenLocal } from './serve-process.js';

/** RFC 3986 encoding by the slow obvious rule: every byte of the UTF-8 form outside "unreserved" escaped. */
function encodeStrict(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('decodeQuery', () => {
  it.each([
    ['', [], 'no query'],
    [
      'a=1&b=2',
      [
        ['a', '1'],
        ['b', '2'],
      ],
      'two pairs in order',
    ],
    ['dialed=%2B6592344706', [['dialed', '+6592344706']], '%2B is a plus'],
    ['dialed=1%20876%20555', [['dialed', '1 876 555']], '%20 is a space'],
    ['a=%C3%A9', [['a', 'é']], 'UTF-8 escapes'],
    [
      'a=1&&b=2&',
      [
        ['a', '1'],
        ['b', '2'],
      ],
      'empty pairs are skipped',
    ],
    ['a', [['a', '']], 'a name without "=" has an empty value'],
    ['a=x=y', [['a', 'x=y']], 'only the first "=" separates'],
    ["a=!$'()*,;=:@/?", [['a', "!$'()*,;=:@/?"]], 'RFC 3986 sub-delims and pchars stay as written'],
    ['%61=1', [['a', '1']], 'names are decoded too'],
    [
      'domain=%EF%BB%BFsip.example.com',
      [['domain', '\ufeffsip.example.com']],
      'a leading byte order mark is kept (a decoder drops it by default), so the domain check refuses it',
    ],
    ['%EF%BB%BFa=1', [['\ufeffa', '1']], 'in a name as well'],
  ])('%j reads as %j (%s)', (query, pairs) => {
    expect(decodeQuery(query)).toEqual({ ok: true, pairs });
  });

  it.each([
    ['dialed=+6592344706', 'dialed', 'raw "+"', 'the issue: form decoding read it as a space'],
    ['dialed=+4798012200', 'dialed', 'raw "+"', 'the issue: Norway the same way'],
    ['a+b=1', 'a+b', 'raw "+"', 'in a name as well'],
    ['a=%2', 'a', 'two hex digits', 'a cut escape'],
    ['a=%zz', 'a', 'two hex digits', 'not hex'],
    ['a=%C3', 'a', 'not UTF-8', 'half a UTF-8 sequence'],
    ['a=%FF', 'a', 'not UTF-8', 'no UTF-8 byte'],
    ['a=x y', 'a', 'raw', 'a raw space'],
    ['a=é', 'a', 'raw', 'raw non-ASCII'],
    ['a=#1', 'a', 'raw', 'a raw "#"'],
    [
      'a=\uFEFF1',
      'a',
      'the character U+FEFF BYTE ORDER MARK raw',
      'a hidden character is named by its code point',
    ],
    ['a=x y', 'a', 'the character " " raw', 'a visible character is quoted'],
    ['a=\u{1F600}', 'a', 'the character "\u{1F600}" raw', 'a whole code point, not half a surrogate pair'],
    ['a=%G1', 'a', '"%G1"', 'the bad escape is quoted'],
    ['a=%2', 'a', 'parameter "a" has "%" not followed', 'the sentence names the parameter'],
    ['a%2=1', 'a%2', 'parameter name "a%2" has "%" not followed', 'or its name, said once'],
  ])('%j is refused (%s: %s)', (query, name, fragment) => {
    const result = decodeQuery(query);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.name).toBe(name);
    expect(result.error.message).toContain(fragment);
  });

  it('round-trips any text through strict RFC 3986 encoding', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        (name, value) => {
          const result = decodeQuery(`${encodeStrict(name)}=${encodeStrict(value)}`);
          expect(result).toEqual({
            ok: true,
            pairs: name === '' && value === '' ? [['', '']] : [[name, value]],
          });
        },
      ),
    );
  });
});

describe('sipguard serve reads a request exactly as its correctly encoded twin', () => {
  let dir = '';
  let service: DecisionServer;
  let base = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sipguard-query-'));
    await writeFile(join(dir, 'policy.json'), policyText(POLICY_A));
    await writeFile(join(dir, 'rates.csv'), RATES);
    service = await createDecisionServer({
      policyFile: join(dir, 'policy.json'),
      ratesFile: join(dir, 'rates.csv'),
      log: () => {},
    });
    base = await listenLocal(service);
  });

  afterAll(async () => {
    await closeService(service);
    await rm(dir, { recursive: true, force: true });
  });

  const ask = async (dialed: string) => {
    const res = await fetch(`${base}/v1/call?extension=101&dialed=${dialed}&format=text`);
    return { status: res.status, body: await res.text() };
  };

  // POLICY_A allows US and CA only; a raw "+" used to read as " 6592344706", a US national number.
  it.each([
    ['+6592344706', 'Singapore'],
    ['+4798012200', 'Norway'],
  ])('the issue: raw %s (%s) is a 400; percent-encoded, the area is denied', async (number) => {
    const raw = await fetch(`${base}/v1/call?extension=101&dialed=${number}`);
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({
      error: 'invalid-encoding',
      message: expect.stringMatching(/^parameter "dialed" has a raw "\+": write %2B/),
    });
    expect(await ask(`%2B${number.slice(1)}`)).toEqual({ status: 200, body: 'deny area-not-allowed\n' });
  });

  it('random dialed strings: written raw where the grammar allows, the answer is a 400 or the encoded twin', async () => {
    const alphabet = [...'0123456789+ -().*#,;:@/?!$~_xA%&=é'];
    const junk = fc.array(fc.constantFrom(...alphabet), { maxLength: 16 }).map((l) => l.join(''));
    // Numbers a PBX really sends, so that a misreading changes the decision, not only the error code.
    const plausible = fc
      .tuple(
        fc.constantFrom('', '+', '+1', '+65', '+47', '1', '011', '00'),
        fc.constantFrom('', ' ', '-', '+'),
        fc.stringMatching(/^[0-9]{7,11}$/),
      )
      .map((parts) => parts.join(''));
    const chars = fc
      .oneof(
        plausible,
        junk,
        fc.tuple(plausible, junk).map(([a, b]) => `${a}${b}`),
      )
      .map((text) => [...text])
      .filter((l) => l.length > 0);
    // Raw: every character RFC 3986 allows in a query value (and "+") written as is; the rest escaped.
    const raw = (text: string) =>
      [...text].map((c) => (/^[A-Za-z0-9\-._~!$'()*,;=:@/?+]$/.test(c) ? c : encodeStrict(c))).join('');
    await fc.assert(
      fc.asyncProperty(chars, async (list) => {
        const text = list.join('');
        const twin = await ask(encodeStrict(text));
        expect(twin.status).toBe(200);
        const asWritten = await ask(raw(text));
        if (asWritten.status === 400) expect(text).toContain('+');
        else expect(asWritten).toEqual(twin);
      }),
      { numRuns: 150 },
    );
  });
});
