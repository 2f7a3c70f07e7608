// No slow paths: each public entry point runs in time linear in its input. Every test measures a
// ~1 MB input against a small one of the same shape in the same test and bounds the ratio of the
// times by 4x the ratio of the sizes (a quadratic path on 1 MB would be ~16x over that bound); it
// never asserts an absolute time. Performance figures live in bench/, not here.
import { describe, expect, it } from 'vitest';
import { checkJsonText } from '../../src/cli/json/check-json.js';
import { IpAllowList, parseIpEntry } from '../../src/ip/index.js';
import { classifyDialed } from '../../src/phone/index.js';
import { compilePolicy, compilePolicyJson } from '../../src/policy/index.js';
import { parseRate, RateTable } from '../../src/rate/index.js';
import { type Scaling, scaling, thrown } from './timing.js';

const MB = 1 << 20;
const SMALL = 16 << 10;
const SLACK = 4;
const TIMEOUT = 120_000;

function expectLinear(result: Scaling): void {
  const detail = `${result.largeMs.toFixed(4)} ms vs ${result.smallMs.toFixed(4)} ms for ${result.sizeRatio.toFixed(0)}x the input`;
  expect(result.timeRatio, detail).toBeLessThanOrEqual(SLACK * result.sizeRatio);
}

// A flat string of exactly `length` characters built by repeating `unit` (flattened, so the first
// measured call does not pay for flattening a rope).
function repeatTo(unit: string, length: number): string {
  const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  return JSON.parse(JSON.stringify(text)) as string;
}

const length = (text: string) => text.length;

// Deterministic distinct IPv4 /32 and IPv6 /64 entries, about 16 characters each.
function ipEntries(totalChars: number): string[] {
  const out: string[] = [];
  let chars = 0;
  for (let i = 0; chars < totalChars; i++) {
    const entry =
      i % 4 === 3
        ? `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`
        : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    out.push(entry);
    chars += entry.length;
  }
  return out;
}
const listChars = (list: readonly string[]) => list.reduce((n, s) => n + s.length, 0);

describe('no slow paths: 1 MB inputs take time linear in their size', () => {
  it('parseIpEntry rejects long entries without scanning them', { timeout: TIMEOUT }, () => {
    for (const unit of ['1', '1.', ':', '1.1.1.1-', ' ']) {
      const run = (text: string) => thrown(() => parseIpEntry(text));
      expectLinear(scaling(run, repeatTo(unit, SMALL), repeatTo(unit, MB), length));
    }
  });

  it('IpAllowList.from compiles a list in n log n', { timeout: TIMEOUT }, () => {
    const run = (list: string[]) => IpAllowList.from(list);
    expectLinear(scaling(run, ipEntries(SMALL), ipEntries(MB), listChars));
  });

  it('IpAllowList.from reports many invalid entries in linear time', { timeout: TIMEOUT }, () => {
    const bad = (chars: number) => ipEntries(chars).map((e) => `0${e}`);
    const run = (list: string[]) => thrown(() => IpAllowList.from(list));
    expectLinear(scaling(run, bad(SMALL), bad(MB), listChars));
  });

  it('has and probe on a 1 MB source address', { timeout: TIMEOUT }, () => {
    const list = IpAllowList.from(ipEntries(64 << 10));
    for (const unit of ['1', '1.1.1.1', 'f:', '::ffff:']) {
      const small = repeatTo(unit, SMALL);
      const large = repeatTo(unit, MB);
      expectLinear(scaling((ip: string) => list.has(ip), small, large, length));
      expectLinear(scaling((ip: string) => list.probe(ip), small, large, length));
    }
  });

  it('classifyDialed on 1 MB dialed strings', { timeout: TIMEOUT }, () => {
    for (const unit of ['1', 'sip:', 'tel:+1;', '%']) {
      const run = (dialed: string) => classifyDialed(dialed, { homeCountry: 'US' });
      expectLinear(scaling(run, repeatTo(unit, SMALL), repeatTo(unit, MB), length));
    }
  });

  it('parseRate on 1 MB amounts', { timeout: TIMEOUT }, () => {
    for (const unit of ['1', '0.', '$', '-']) {
      const run = (text: string) => thrown(() => parseRate(text));
      expectLinear(scaling(run, repeatTo(unit, SMALL), repeatTo(unit, MB), length));
    }
  });

  it('RateTable.fromCsv on a 1 MB deck, valid and full of errors', { timeout: TIMEOUT }, () => {
    const deck = (chars: number, bad: boolean) => {
      const lines = ['prefix,rate,description'];
      let total = 0;
      for (let i = 0; total < chars; i++) {
        const line = bad
          ? `${i}x,-0.${i},"row ${i}`
          : `${100000 + i},0.${String(i % 9999).padStart(4, '0')},"Row, ${i}"`;
        lines.push(line);
        total += line.length + 1;
      }
      return lines.join('\n');
    };
    for (const bad of [false, true]) {
      const run = (text: string) => thrown(() => RateTable.fromCsv(text));
      expectLinear(scaling(run, deck(SMALL, bad), deck(MB, bad), length));
    }
  });

  it('compilePolicy on a 1 MB policy, valid and full of errors', { timeout: TIMEOUT }, () => {
    const policyText = (chars: number, bad: boolean) => {
      const extensions: Record<string, unknown> = {};
      let total = 0;
      for (let i = 0; total < chars; i++) {
        const rules = bad
          ? {
              registration: { restrict: 'yes', allowFrom: [`010.0.${i & 255}.1`] },
              calling: { allow: ['UK'] },
            }
          : {
              registration: { restrict: true, allowFrom: [`10.${(i >>> 8) & 255}.${i & 255}.0/24`] },
              calling: { allow: ['US', 'CA'], deny: ['*/premium-rate'] },
              maxRatePerMinute: `$0.0${i % 10}00`,
            };
        extensions[String(1000 + i)] = rules;
        total += JSON.stringify(rules).length + 8;
      }
      return JSON.stringify({ homeCountry: 'US', extensions });
    };
    for (const bad of [false, true]) {
      const run = (text: string) => thrown(() => compilePolicy(JSON.parse(text)));
      expectLinear(scaling(run, policyText(SMALL, bad), policyText(MB, bad), length));
    }
  });

  it('compilePolicy on a 1 MB unknown key and a 1 MB string value', { timeout: TIMEOUT }, () => {
    const withKey = (key: string) => ({ [key]: 1 });
    const run = (doc: object) => thrown(() => compilePolicy(doc));
    const size = (doc: object) => Object.keys(doc)[0]?.length ?? 0;
    expectLinear(
      scaling(run, withKey(repeatTo('homeCountr', SMALL)), withKey(repeatTo('homeCountr', MB)), size),
    );
    const homeCountry = (text: string) => thrown(() => compilePolicyJson({ homeCountry: text }));
    expectLinear(scaling(homeCountry, repeatTo('U', SMALL), repeatTo('U', MB), length));
  });

  it('checkRegistration and checkCall on 1 MB request fields', { timeout: TIMEOUT }, () => {
    const policy = compilePolicy({
      homeCountry: 'US',
      registration: { restrict: true, allowFrom: ['192.0.2.0/24'] },
      maxRatePerMinute: '$0.05',
    });
    const register = (sourceIp: string) => policy.checkRegistration({ extension: '1', sourceIp });
    const call = (dialed: string) => policy.checkCall({ extension: '1', dialed });
    const rated = (ratePerMinute: string) =>
      policy.checkCall({ extension: '1', dialed: '+12015550123', ratePerMinute });
    const extension = (id: string) => policy.checkCall({ extension: id, dialed: '+12015550123' });
    for (const unit of ['1', '192.0.2.1', 'a:']) {
      expectLinear(scaling(register, repeatTo(unit, SMALL), repeatTo(unit, MB), length));
    }
    for (const unit of ['1', 'sip:+1@', '*67']) {
      expectLinear(scaling(call, repeatTo(unit, SMALL), repeatTo(unit, MB), length));
    }
    expectLinear(scaling(rated, repeatTo('0', SMALL), repeatTo('0', MB), length));
    expectLinear(scaling(extension, repeatTo('1', SMALL), repeatTo('1', MB), length));
  });

  it('checkJsonText on 1 MB documents of every shape', { timeout: TIMEOUT }, () => {
    const shapes: ((chars: number) => string)[] = [
      // Duplicate keys: each is reported with its line and column.
      (chars) => `{${repeatTo('"a":1,\n', chars - 8)}"a":1}`,
      // A long array of numbers and strings.
      (chars) => `[${repeatTo('12.5e-3,"x\\u0041\\n",', chars - 8)}0]`,
      // Objects nested to the depth limit, repeated.
      (chars) => `[${repeatTo(`${'{"k":'.repeat(60)}1${'}'.repeat(60)},`, chars - 8)}0]`,
      // One long string, and a syntax error at its end.
      (chars) => `"${repeatTo('abc', chars - 8)}`,
      // Nesting past the limit.
      (chars) => repeatTo('[', chars),
    ];
    for (const shape of shapes) {
      expectLinear(scaling(checkJsonText, shape(SMALL), shape(MB), length));
    }
  });
});
