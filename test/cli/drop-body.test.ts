// The registrations of a drop body: each item must itself hold "extension" and "sourceIp" strings.
import { describe, expect, it } from 'vitest';
import { readRegistrations } from '../../src/cli/serve/drop-body.js';

const inherited = Object.create({ extension: '101', sourceIp: '192.0.2.1' }) as object;
const halfInherited = Object.assign(Object.create({ sourceIp: '192.0.2.1' }) as object, { extension: '101' });

describe('readRegistrations', () => {
  it.each<[unknown[], number, string]>([
    [[{ extension: '101', sourceIp: '192.0.2.1' }], 1, 'own string properties'],
    [[{ extension: '101', sourceIp: '192.0.2.1', contact: 'sip:x' }], 1, 'other fields pass through'],
    [[inherited], 0, 'both properties only on the prototype'],
    [[halfInherited], 0, 'sourceIp only on the prototype'],
    [[{ extension: 101, sourceIp: '192.0.2.1' }], 0, 'a number is not an extension'],
    [[{ extension: '101' }], 0, 'sourceIp missing'],
    [[['101', '192.0.2.1']], 0, 'an array is not an object'],
    [[null], 0, 'null'],
  ])('%j: %i accepted (%s)', (raw, accepted) => {
    const { registrations, problems } = readRegistrations(raw, 'body');
    expect(registrations).toHaveLength(accepted);
    expect(problems).toHaveLength(1 - accepted);
    if (accepted === 0) expect(problems[0]).toMatchObject({ file: 'body', path: '/0', code: 'wrong-type' });
  });
});
