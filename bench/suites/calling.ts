// Calling areas: classifyDialed against raw libphonenumber-js `/max` (parsePhoneNumber + getType) on
// the same dialed strings, from a US home. "cold" empties sipguard's cache before every batch, so each
// call classifies from scratch; "warm" repeats a small mix of numbers, as a busy PBX does.

import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getCountries, getExampleNumber, parsePhoneNumber } from 'libphonenumber-js/max';
import { classifyDialed, clearDialedCache } from '../../src/phone/classify.js';
import { compileCallingRules, evaluateCalling } from '../../src/phone/selectors.js';
import type { BenchSuite, BenchTask } from '../harness.js';

const HOME: CountryCode = 'US';
const OPTIONS = { homeCountry: HOME } as const;

/** Distinct dialed strings in the forms a US PBX sees: national, trunk, +E.164, 011, and foreign examples. */
function distinctInputs(): string[] {
  const inputs: string[] = [];
  for (const region of getCountries()) {
    const example = getExampleNumber(region, examples);
    if (example !== undefined) inputs.push(example.formatInternational());
  }
  for (let i = 0; inputs.length < 2000; i++) {
    const four = String(i % 10000).padStart(4, '0');
    switch (i % 5) {
      case 0:
        inputs.push(`(212) 555-${four}`);
        break;
      case 1:
        inputs.push(`1 876 555 ${four}`);
        break;
      case 2:
        inputs.push(`011 44 20 7946 ${four}`);
        break;
      case 3:
        inputs.push(`+33 1 23 45 ${four.slice(0, 2)} ${four.slice(2)}`);
        break;
      default:
        inputs.push(`+49 30 1234${four}`);
    }
  }
  return [...new Set(inputs)];
}

function libphonenumberTask(name: string, inputs: readonly string[]): BenchTask {
  return {
    name,
    batch: inputs.length,
    run: () => {
      let valid = 0;
      for (const input of inputs) {
        const parsed = parsePhoneNumber(input, HOME);
        if (parsed?.getType() !== undefined) valid++;
      }
      return valid;
    },
  };
}

export const callingSuite: BenchSuite = {
  name: 'calling',
  groups: () => {
    const distinct = distinctInputs();
    const mix = distinct.filter((_, i) => i % 40 === 0);
    const repeated = Array.from({ length: 2000 }, (_, i) => mix[(i * 7) % mix.length] ?? '');
    const { rules } = compileCallingRules(
      { allow: ['US', 'CA', '+1876'], deny: ['*/premium-rate'] },
      '/calling',
    );
    if (rules === undefined) throw new Error('bench calling rules do not compile');
    return [
      {
        name: `cold: ${distinct.length} distinct numbers`,
        subject: 'classifyDialed (cache emptied)',
        tasks: [
          {
            name: 'classifyDialed (cache emptied)',
            batch: distinct.length,
            run: () => {
              clearDialedCache();
              let valid = 0;
              for (const input of distinct) if (classifyDialed(input, OPTIONS).ok) valid++;
              return valid;
            },
          },
          libphonenumberTask('libphonenumber-js/max parsePhoneNumber + getType', distinct),
        ],
      },
      {
        name: `warm: ${mix.length} numbers repeated`,
        subject: 'classifyDialed (cached)',
        tasks: [
          {
            name: 'classifyDialed (cached)',
            batch: repeated.length,
            run: () => {
              let valid = 0;
              for (const input of repeated) if (classifyDialed(input, OPTIONS).ok) valid++;
              return valid;
            },
          },
          {
            name: 'classifyDialed + evaluateCalling (cached)',
            batch: repeated.length,
            run: () => {
              let allowed = 0;
              for (const input of repeated) {
                const result = classifyDialed(input, OPTIONS);
                if (
                  result.ok &&
                  !result.emergency &&
                  evaluateCalling(rules, result).code === 'area-allowed'
                ) {
                  allowed++;
                }
              }
              return allowed;
            },
          },
          libphonenumberTask('libphonenumber-js/max parsePhoneNumber + getType', repeated),
        ],
      },
    ];
  },
};
