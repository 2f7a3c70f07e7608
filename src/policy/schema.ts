// Generates the JSON Schema of the policy document from the same spec the runtime validator walks.
// schema/policy.schema.json is this output, checked in; a test fails when the file is stale.
//
// Beside the standard keywords it writes the ones VS Code's JSON language service reads:
// `markdownDescription` (hover), `errorMessage` (said in place of "does not match the pattern …")
// and `defaultSnippets` (completions of a selector's kinds).
import { NON_GEOGRAPHIC_REGION, NUMBER_TYPES, regionCodes } from './deps.js';
import { DOCUMENT_SPEC, type FieldSpec, RULE_FIELDS, type StringSpec } from './spec.js';

/** A JSON Schema node: plain JSON data. */
export type JsonSchema = { readonly [key: string]: unknown };

/** The keywords beyond draft-07 that the schema uses; a strict validator (ajv) must be told of them. */
export const EDITOR_KEYWORDS = ['markdownDescription', 'errorMessage', 'defaultSnippets'] as const;

/** The description, and for hovers in Markdown where it quotes JSON values (they become code). */
function described(doc: string): JsonSchema {
  const markdown = doc.replace(/"([^"\n]*)"/g, '`"$1"`');
  return markdown === doc ? { description: doc } : { description: doc, markdownDescription: markdown };
}

function alternation(values: readonly string[]): string {
  return `(?:${values.map((value) => value.replace(/[*+]/g, '\\$&')).join('|')})`;
}

/** A selector's kinds, offered as snippets; the number type is a choice of every known type. */
function selectorSnippets(): JsonSchema[] {
  // Snippet syntax: `${1:GB}` is a tab stop with a default, `${1|a,b|}` one with a choice.
  const stop = (tabStop: number, text: string) => `\${${tabStop}:${text}}`;
  const types = (tabStop: number) => `\${${tabStop}|${NUMBER_TYPES.join(',')}|}`;
  return [
    { label: 'region', description: 'Every number of one region: "GB".', body: stop(1, 'GB') },
    {
      label: 'region/type',
      description: 'Numbers of one type in one region: "GB/mobile".',
      body: `${stop(1, 'GB')}/${types(2)}`,
    },
    {
      label: '*/type',
      description: 'Numbers of one type in every region: "*/premium-rate".',
      body: `*/${types(1)}`,
    },
    {
      label: '+prefix',
      description: 'Numbers that start with an E.164 prefix: "+1876".',
      body: `+${stop(1, '1876')}`,
    },
    {
      label: NON_GEOGRAPHIC_REGION,
      description: 'Non-geographic numbers (+800, +881, …).',
      body: NON_GEOGRAPHIC_REGION,
    },
  ];
}

/** The schema of a string whose values are listed exactly (see `StringSpec.schemaValues`). */
function listedValues(spec: StringSpec): JsonSchema {
  if (spec.schemaValues === undefined)
    return spec.schemaPattern === undefined ? {} : { pattern: spec.schemaPattern };
  switch (spec.schemaValues) {
    case 'region':
      return { enum: [...regionCodes()] };
    case 'selector': {
      const types = alternation(NUMBER_TYPES);
      const regions = alternation([...regionCodes(), NON_GEOGRAPHIC_REGION]);
      return {
        pattern: `^(?:${regions}(?:/${types})?|\\*/${types}|\\+[0-9]{1,15})$`,
        defaultSnippets: selectorSnippets(),
      };
    }
  }
}

function node(spec: FieldSpec, ruleFieldsRef: boolean): JsonSchema {
  switch (spec.kind) {
    case 'boolean':
      return { ...described(spec.doc), type: 'boolean' };
    case 'enum':
      return { ...described(spec.doc), enum: [...spec.values] };
    case 'string':
      return {
        ...described(spec.doc),
        type: 'string',
        maxLength: spec.maxLength,
        ...listedValues(spec),
        ...(spec.schemaMessage === undefined ? {} : { errorMessage: spec.schemaMessage }),
      };
    case 'list':
      return {
        ...described(spec.doc),
        type: 'array',
        maxItems: spec.maxItems,
        items: node(spec.item, false),
      };
    case 'cap':
      return {
        ...described(spec.doc),
        anyOf: [
          { type: 'string', pattern: spec.schemaPattern, errorMessage: spec.schemaMessage },
          { type: 'number', minimum: 0 },
          { type: 'null' },
        ],
      };
    case 'integer':
      return {
        ...described(spec.doc),
        type: spec.nullable ? ['integer', 'null'] : 'integer',
        minimum: spec.min,
        maximum: spec.max,
      };
    case 'object': {
      // The extension value reuses the account's rule fields through one definition.
      if (ruleFieldsRef && spec.fields === RULE_FIELDS)
        return { ...described(spec.doc), $ref: '#/definitions/rules' };
      const object = objectNode(spec, spec.fields, ruleFieldsRef);
      if (spec.nullable !== true) return object;
      const { description, markdownDescription, ...shape } = object;
      return { description, markdownDescription, anyOf: [shape, { type: 'null' }] };
    }
    case 'map':
      return {
        ...described(spec.doc),
        type: 'object',
        maxProperties: spec.maxEntries,
        propertyNames: {
          minLength: 1,
          maxLength: spec.keyMaxLength,
          ...(spec.keySchemaPattern === undefined ? {} : { pattern: spec.keySchemaPattern }),
          ...(spec.keySchemaMessage === undefined ? {} : { errorMessage: spec.keySchemaMessage }),
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
    ...described(spec.doc),
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
