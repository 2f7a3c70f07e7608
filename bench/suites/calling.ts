// Call checks: policy.checkCall and classifyDialed against raw libphonenumber-js `/max`
// (parsePhoneNumber + getType) on the same dialed strings, from a US home. "cold" empties sipguard's
// cache before every batch, so each call classifies from scratch; "warm" repeats a small mix of
// numbers, as a busy PBX does.

import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getCountries, getExampleNumber, parsePhoneNumber } from 'libphonenumber-js/max';
import { classifyDialed, clearDialedCache } from '../../src/phone/classify.js';
import { callingRules, compileSelectors, evaluateCalling } from '../../src/phone/selectors.js';
import { compilePolicy } from '../../src/policy/index.js';
import { RateTable } from '../../src/rate/index.js';
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
    const list = (texts: readonly string[]) => {
      const compiled = compileSelectors(texts);
      if (!('list' in compiled)) throw new Error('bench calling rules do not compile');
      return compiled.list;
    };
    const rules = callingRules('allow', list(['US', 'CA', '+1876']), list(['*/premium-rate']));
    // A policy as a PBX would set it: areas, a cap, and a small deck; every decision builds its message.
    const policy = compilePolicy(
      {
        homeCountry: 'US',
        calling: { allow: ['US', 'CA', '+1876', 'GB', 'DE', 'FR'], deny: ['*/premium-rate'] },
        maxRatePerMinute: '$0.0500',
      },
      {
        rates: RateTable.from([
          { prefix: '1', rate: '0.01' },
          { prefix: '1876', rate: '0.12' },
          { prefix: '44', rate: '0.02' },
          { prefix: '4420', rate: '0.05' },
          { prefix: '33', rate: '0.03' },
          { prefix: '49', rate: '0.04' },
        ]),
      },
    );
    const callTask = (name: string, inputs: readonly string[], clear: boolean): BenchTask => {
      const requests = inputs.map((dialed) => ({ extension: '100', dialed }));
      return {
        name,
        batch: requests.length,
        run: () => {
          if (clear) clearDialedCache();
          let allowed = 0;
          for (const request of requests) if (policy.checkCall(request).allowed) allowed++;
          return allowed;
        },
      };
    };
    return [
      {
        name: `cold: ${distinct.length} distinct numbers`,
        subject: 'policy.checkCall (cache emptied)',
        tasks: [
          callTask('policy.checkCall (cache emptied)', distinct, true),
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
        subject: 'policy.checkCall (cached)',
        tasks: [
          callTask('policy.checkCall (cached)', repeated, false),
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
