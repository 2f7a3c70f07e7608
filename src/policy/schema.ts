// Generates the JSON Schema of the policy document from the same spec the runtime validator walks.
// schema/policy.schema.json is this output, checked in; a test fails when the file is stale.
import { DOCUMENT_SPEC, type FieldSpec, RULE_FIELDS } from './spec.js';

/** A JSON Schema node: plain JSON data. */
export type JsonSchema = { readonly [key: string]: unknown };

function node(spec: FieldSpec, ruleFieldsRef: boolean): JsonSchema {
  switch (spec.kind) {
    case 'boolean':
      return { description: spec.doc, type: 'boolean' };
    case 'enum':
      return { description: spec.doc, enum: [...spec.values] };
    case 'string':
      return {
        description: spec.doc,
        type: 'string',
        maxLength: spec.maxLength,
        ...(spec.schemaPattern === undefined ? {} : { pattern: spec.schemaPattern }),
      };
    case 'list':
      return { description: spec.doc, type: 'array', maxItems: spec.maxItems, items: node(spec.item, false) };
    case 'cap':
      return {
        description: spec.doc,
        anyOf: [
          { type: 'string', pattern: spec.schemaPattern },
          { type: 'number', minimum: 0 },
          { type: 'null' },
        ],
      };
    case 'integer':
      return {
        description: spec.doc,
        type: spec.nullable ? ['integer', 'null'] : 'integer',
        minimum: spec.min,
        maximum: spec.max,
      };
    case 'object': {
      // The extension value reuses the account's rule fields through one definition.
      if (ruleFieldsRef && spec.fields === RULE_FIELDS)
        return { description: spec.doc, $ref: '#/definitions/rules' };
      const object = objectNode(spec, spec.fields, ruleFieldsRef);
      if (spec.nullable !== true) return object;
      const { description, ...shape } = object;
      return { description, anyOf: [shape, { type: 'null' }] };
    }
    case 'map':
      return {
        description: spec.doc,
        type: 'object',
        maxProperties: spec.maxEntries,
        propertyNames: {
          minLength: 1,
          maxLength: spec.keyMaxLength,
          ...(spec.keySchemaPattern === undefined ? {} : { pattern: spec.keySchemaPattern }),
        },
        additionalProperties: node(spec.value, ruleFieldsRef),
      };
  }
}

function objectNode(
  spec: Extract<FieldSpec, { kind: 'object' }>,
  fields: Readonly<Record<string, FieldSpec>>,
  ruleFieldsRef: boolean,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, field] of Object.entries(fields)) properties[key] = node(field, ruleFieldsRef);
  return {
    description: spec.doc,
    type: 'object',
    properties,
    ...(spec.required.length > 0 ? { required: [...spec.required] } : {}),
    additionalProperties: false,
  };
}

/** Builds the JSON Schema (draft-07) of a policy document. */
export function buildPolicySchema(): JsonSchema {
  const rules = objectNode(
    { kind: 'object', fields: RULE_FIELDS, required: [], doc: 'Rule fields of an account or an extension.' },
    RULE_FIELDS,
    false,
  );
  const document = objectNode(DOCUMENT_SPEC, DOCUMENT_SPEC.fields, true);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'sipguard policy',
    ...document,
    definitions: { rules },
  };
}
