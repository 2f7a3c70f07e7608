// Netstrings as janssonrpcc writes them (`<length>:<bytes>,`), read strictly from chunks of any size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeNetstring, NetstringReader } from '../../src/cli/serve/netstring.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const read = (text: string, max = 100) => {
  const r = new NetstringReader(max).push(bytes(text));
  return { frames: r.frames.map((f) => f.toString('latin1')), error: r.error?.code };
};

describe('NetstringReader', () => {
  it.each([
    ['5:hello,', ['hello'], undefined, 'one frame'],
    ['0:,', [''], undefined, 'the empty frame'],
    ['1:a,2:bc,', ['a', 'bc'], undefined, 'two frames back to back'],
    ['3:a,b,', ['a,b'], undefined, 'a comma inside is payload: the length decides'],
    ['5:hel', [], undefined, 'incomplete: waits for more'],
    ['12', [], undefined, 'incomplete length: waits for more'],
    ['100:', [], undefined, 'the bound itself is allowed'],
    ['101:', [], 'too-long', 'one byte above the bound, known from the length alone'],
    ['1000', [], 'too-long', 'more digits than the bound has'],
    ['05:hello,', [], 'leading-zero', 'a leading zero'],
    ['00:,', [], 'leading-zero', 'zero written twice'],
    [':hello,', [], 'no-length', 'no length'],
    [' 5:hello,', [], 'no-length', 'whitespace before the length'],
    ['5:hello,\n', ['hello'], 'no-length', 'nothing may follow a frame but another frame'],
    ['5;hello,', [], 'no-colon', 'the wrong separator'],
    ['5:hello;', [], 'no-comma', 'the wrong terminator'],
    ['3:hello,', [], 'no-comma', 'a length shorter than the payload'],
    ['-5:hello,', [], 'no-length', 'a sign'],
  ])('%j → %j %s (%s)', (input, frames, error, _why) => {
    expect(read(input)).toEqual({ frames, error });
  });

  it('stays broken after an error, and holds nothing of it', () => {
    const reader = new NetstringReader(100);
    expect(reader.push(bytes('1:a,x')).error?.code).toBe('no-length');
    expect(reader.pendingBytes).toBe(0);
    expect(reader.push(bytes('1:b,'))).toEqual({
      frames: [],
      error: expect.objectContaining({ code: 'no-length' }),
    });
  });

  it('says what it found, by byte', () => {
    expect(new NetstringReader(100).push(bytes('5:hello;')).error?.message).toBe(
      'a 5-byte frame must end with ",", not byte 0x3b',
    );
  });

  it('holds only the incomplete frame between chunks', () => {
    const reader = new NetstringReader(100);
    expect(reader.push(bytes('2:ab,3:c')).frames.map(String)).toEqual(['ab']);
    expect(reader.pendingBytes).toBe(3);
    expect(reader.push(bytes('de,')).frames.map(String)).toEqual(['cde']);
    expect(reader.pendingBytes).toBe(0);
  });

  it('reads the same frames however the stream is cut (property, against encodeNetstring)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map(encodeNetstring));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const reader = new NetstringReader(1000);
          const frames: string[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            const r = reader.push(stream.subarray(from, to));
            expect(r.error).toBeUndefined();
            frames.push(...r.frames.map((f) => f.toString('utf8')));
            from = to;
          }
          expect(frames).toEqual(payloads);
          expect(reader.pendingBytes).toBe(0);
        },
      ),
    );
  });
});

describe('encodeNetstring', () => {
  it.each([
    ['', '0:,', 'empty'],
    ['hello', '5:hello,', 'ASCII'],
    ['é', '2:é,', 'the length counts UTF-8 bytes, not characters'],
  ])('%j → %j (%s)', (payload, expected, _why) => {
    expect(encodeNetstring(payload).toString('utf8')).toBe(expected);
  });
});
