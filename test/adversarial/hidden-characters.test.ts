// Characters that do not show (a byte order mark, NUL, a zero-width space, a no-break space, a
// right-to-left override) in every kind of input: the message quotes the input with the character
// named by code point, names it again in the reason, and says what to do (issue 15, D10).
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import {
  classifyDialed,
  compilePolicyJson,
  IpAllowList,
  parseIpEntry,
  RateTable,
  safeParseRate,
} from '../../src/index.js';
import { checkJsonText } from '../../src/json/check-json.js';

const DELETE_IT = 'it does not show, or shows as a plain space: delete it or type the text again';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SipguardError) return error.issues.map((i) => i.message).join('\n');
    throw error;
  }
  throw new Error('expected a SipguardError');
}

describe('hidden characters are named by code point, with what to do', () => {
  it.each<[string, () => string, string[]]>([
    [
      'NUL before an IP entry',
      () => messageOf(() => parseIpEntry('\u0000192.0.2.1')),
      ['IP entry "<U+0000>192.0.2.1"', 'starts with U+0000 NULL', DELETE_IT],
    ],
    [
      'a zero-width space inside an IP entry of a list',
      () => messageOf(() => IpAllowList.from(['192.0.2.0/24', '198.51.\u200b100.7'])),
      ['IP entry "198.51.<U+200B>100.7"', 'contains U+200B ZERO WIDTH SPACE at position 8', DELETE_IT],
    ],
    [
      'a no-break space inside a CIDR',
      () => messageOf(() => parseIpEntry('192.0.2.0\u00a0/24')),
      ['"192.0.2.0<U+00A0>/24"', 'contains U+00A0 NO-BREAK SPACE at position 10', DELETE_IT],
    ],
    [
      // A zero-width space is a separator in a dialed number (it cannot change a digit), so it is
      // dropped there, as libphonenumber does; bidi controls and tabs are not.
      'a right-to-left override in a dialed number',
      () => {
        const result = classifyDialed('\u202e0958 7946 20 44+', { homeCountry: 'GB' });
        return result.ok ? '' : `${result.code}: ${result.message}`;
      },
      ['not-a-number: "<U+202E>0958 7946 20 44+"', 'contains U+202E RIGHT-TO-LEFT OVERRIDE', DELETE_IT],
    ],
    [
      'a tab in a dialed number',
      () => {
        const result = classifyDialed('+44 20\t7946 0958', { homeCountry: 'GB' });
        return result.ok ? '' : result.message;
      },
      ['"+44 20<U+0009>7946 0958"', 'contains the control character U+0009 CHARACTER TABULATION'],
    ],
    [
      'a byte order mark before an amount',
      () => {
        const result = safeParseRate('\ufeff0.05');
        return result.success ? '' : result.issue.message;
      },
      ['invalid rate "<U+FEFF>0.05"', 'starts with U+FEFF BYTE ORDER MARK', 'without a byte order mark'],
    ],
    [
      'a zero-width space in a rate-deck prefix',
      () => messageOf(() => RateTable.fromCsv('prefix,rate\n1,0.01\n44\u200b,0.02\n')),
      ['invalid prefix "44<U+200B>"', 'contains U+200B ZERO WIDTH SPACE at position 3', DELETE_IT],
    ],
    [
      'a zero-width space in a calling-area selector',
      () => messageOf(() => compilePolicyJson({ calling: { allow: ['US', 'G\u200bB'] } })),
      ['invalid selector "G<U+200B>B"', 'contains U+200B ZERO WIDTH SPACE at position 2', DELETE_IT],
    ],
    [
      'a zero-width space in homeCountry',
      () => messageOf(() => compilePolicyJson({ homeCountry: 'U\u200bS' })),
      ['"U<U+200B>S" contains U+200B ZERO WIDTH SPACE at position 2', DELETE_IT],
    ],
    [
      'a byte order mark before a JSON policy text',
      () =>
        checkJsonText('\ufeff{"homeCountry": "US"}')
          .map((p) => p.message)
          .join('\n'),
      ['found U+FEFF BYTE ORDER MARK', 'save the file as UTF-8 without a byte order mark'],
    ],
    [
      'a no-break space between JSON tokens',
      () =>
        checkJsonText('{"homeCountry":\u00a0"US"}')
          .map((p) => p.message)
          .join('\n'),
      ['found U+00A0 NO-BREAK SPACE', DELETE_IT],
    ],
  ])('%s', (_reason, message, parts) => {
    const text = message();
    for (const part of parts) expect(text).toContain(part);
  });
});
