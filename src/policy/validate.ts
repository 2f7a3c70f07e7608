// The shape walker: checks a document against the declarative spec (spec.ts) without trusting it.
// Only own properties are read (never `in` or indexing that can reach a prototype), so ids such as
// `__proto__` are plain data. The result keeps only well-shaped parts, in Maps, for compilation.
import type { SipguardIssue, SipguardIssueCodeOf } from '../errors.js';
import {
  describeValue,
  hiddenCharacterProblem,
  isPlainObject,
  pointerSegment,
  quote,
  suggestion,
} from '../text.js';
import type { FieldSpec } from './spec.js';

/** A well-shaped value: objects and maps become Maps, lists keep their indexes (`undefined` = bad item). */
export type Shaped = string | number | boolean | null | ShapedObject | ShapedList;
/** An object or map whose bad fields were left out. */
export type ShapedObject = ReadonlyMap<string, Shaped>;
/** A list whose bad items are `undefined`, so indexes still match the input. */
export type ShapedList = readonly (string | undefined)[];

/** A problem of a policy document: a shape code from here, or a code of the ip or rate module. */
export type PolicyIssue = SipguardIssue<SipguardIssueCodeOf<'invalid-policy'>>;

const MISSING = Symbol('missing');

/** Reads an own data property; accessors and inherited properties count as missing. */
function ownValue(holder: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  if (descriptor === undefined || !Object.hasOwn(descriptor, 'value')) return MISSING;
  return descriptor.value;
}

function expected(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map(quote).join(', ')}`;
    case 'string':
      return 'a string';
    case 'list':
      return 'an array of strings';
    case 'cap':
      return 'a money amount such as "$0.0500", or null for none';
    case 'integer':
      return `an integer from ${spec.min} to ${spec.max}${spec.nullable ? ', or null for no limit' : ''}`;
    case 'object':
      return spec.nullable === true ? 'an object, or null' : 'an object';
    case 'map':
      return 'an object';
  }
}

/**
 * Checks `value` against `spec`, appending one issue per problem to `issues`.
 * Returns the well-shaped value, or `undefined` when the value itself has the wrong shape.
 */
export function checkShape(
  value: unknown,
  spec: FieldSpec,
  path: string,
  issues: PolicyIssue[],
): Shaped | undefined {
  const wrongType = (): undefined => {
    issues.push({
      path,
      code: 'wrong-type',
      message: `expected ${expected(spec)}, got ${describeValue(value)}`,
      ...(typeof value === 'string' ? { input: value } : {}),
    });
    return undefined;
  };
  const tooMany = (count: number, max: number): undefined => {
    issues.push({ path, code: 'invalid-value', message: `has ${count} entries; at most ${max} are allowed` });
    return undefined;
  };
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : wrongType();
    case 'enum':
      if (typeof value !== 'string') return wrongType();
      if (!spec.values.includes(value)) {
        issues.push({
          path,
          code: 'invalid-value',
          message: `${quote(value)} is not ${expected(spec)}`,
          input: value,
        });
        return undefined;
      }
      return value;
    case 'string':
      if (typeof value !== 'string') return wrongType();
      if (value.length > spec.maxLength) {
        issues.push({
          path,
          code: 'invalid-value',
          message: `${quote(value)} is longer than ${spec.maxLength} characters`,
          input: value,
        });
        return undefined;
      }
      return value;
    case 'cap':
      return value === null || typeof value === 'string' || typeof value === 'number' ? value : wrongType();
    case 'list': {
      if (!Array.isArray(value)) return wrongType();
      if (value.length > spec.maxItems) return tooMany(value.length, spec.maxItems);
      const items: (string | undefined)[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = ownValue(value, String(i));
        const itemPath = `${path}/${i}`;
        if (item === MISSING) {
          issues.push({ path: itemPath, code: 'wrong-type', message: 'expected a string, got a hole' });
          items.push(undefined);
        } else {
          const shaped = checkShape(item, spec.item, itemPath, issues);
          items.push(typeof shaped === 'string' ? shaped : undefined);
        }
      }
      return items;
    }
    case 'integer':
      if (value === null && spec.nullable) return null;
      if (typeof value !== 'number') return wrongType();
      if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
        issues.push({
          path,
          code: 'invalid-value',
          message: `${String(value)} is not ${expected(spec)}`,
          input: String(value),
        });
        return undefined;
      }
      return value;
    case 'object': {
      if (value === null && spec.nullable === true) return null;
      if (!isPlainObject(value)) return wrongType();
      const known = Object.keys(spec.fields);
      const result = new Map<string, Shaped>();
      for (const key of Object.keys(value)) {
        const keyPath = `${path}/${pointerSegment(key)}`;
        const fieldSpec = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
        if (fieldSpec === undefined) {
          issues.push({
            path: keyPath,
            code: 'unknown-field',
            message: `unknown field ${quote(key)}${suggestion(key, known)}; allowed fields: ${known.join(', ')}`,
            input: key,
          });
          continue;
        }
        checkMember(value, key, fieldSpec, keyPath, issues, result);
      }
      for (const key of spec.required) {
        if (!Object.hasOwn(value, key)) {
          issues.push({
            path: `${path}/${pointerSegment(key)}`,
            code: 'missing-field',
            message: `missing required field ${quote(key)}`,
          });
        }
      }
      return result;
    }
    case 'map': {
      if (!isPlainObject(value)) return wrongType();
      const keys = Object.keys(value);
      if (keys.length > spec.maxEntries) return tooMany(keys.length, spec.maxEntries);
      const result = new Map<string, Shaped>();
      for (const key of keys) {
        const keyPath = `${path}/${pointerSegment(key)}`;
        if (key.length === 0 || key.length > spec.keyMaxLength) {
          issues.push({
            path: keyPath,
            code: 'invalid-value',
            message: `${spec.keyName} ${quote(key)} must be 1 to ${spec.keyMaxLength} characters long`,
            input: key,
          });
          continue;
        }
        const unseen = keyProblem(key);
        if (unseen !== undefined) {
          issues.push({
            path: keyPath,
            code: 'invalid-value',
            message: `${spec.keyName} ${quote(key)} ${unseen}`,
            input: key,
          });
          continue;
        }
        checkMember(value, key, spec.value, keyPath, issues, result);
      }
      return result;
    }
  }
}

// A key no request could match as written: a hidden character ("100\u200b"), or a space at either end.
// Such an extension's rules would silently never apply, leaving the account's in force.
function keyProblem(key: string): string | undefined {
  const hidden = hiddenCharacterProblem(key);
  if (hidden !== undefined) return hidden;
  if (key.startsWith(' ') || key.endsWith(' ')) {
    return `${key.startsWith(' ') ? 'starts' : 'ends'} with a space; remove it (no request carries it)`;
  }
  return undefined;
}

// Checks own member `key` of an object or map against `spec`, keeping it in `result` when well
// shaped; an accessor is refused, never called.
function checkMember(
  holder: object,
  key: string,
  spec: FieldSpec,
  path: string,
  issues: PolicyIssue[],
  result: Map<string, Shaped>,
): void {
  const member = ownValue(holder, key);
  if (member === MISSING) {
    issues.push({ path, code: 'wrong-type', message: 'accessor properties are not accepted' });
    return;
  }
  const shaped = checkShape(member, spec, path, issues);
  if (shaped !== undefined) result.set(key, shaped);
}
