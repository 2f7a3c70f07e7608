// The policy document described once. The runtime validator (validate.ts) walks this spec for shape,
// types, unknown fields and size bounds, the JSON Schema (schema.ts) is generated from it, and the
// TypeScript type `PolicyDocument` is derived from it, so the three cannot drift. Meaning that a shape
// cannot express (does the region exist, does the IP entry parse, is the cap exact money) is checked
// by the owning module during compilation.

import { COMMON_HIDDEN_CLASS } from '../text.js';
import {
  type CallingSelector,
  MAX_CALL_SECONDS,
  MAX_ENTRY_LENGTH,
  MAX_HOURS_ENTRIES,
  MAX_HOURS_ENTRY_LENGTH,
  MAX_LIMIT_COUNT,
  MAX_TIME_ZONE_LENGTH,
  type RegionCode,
} from './deps.js';

/** Largest number of extensions in one policy document. */
export const MAX_EXTENSIONS = 10_000;
/** Longest extension id, in UTF-16 code units. */
export const MAX_EXTENSION_ID_LENGTH = 64;
/** Most entries in one `allowFrom` list. */
export const MAX_ALLOW_FROM_ENTRIES = 1_000;
/** Most selectors in one `calling.allow` or `calling.deny` list. */
export const MAX_SELECTORS = 1_000;
/** Longest calling-area selector; the longest valid one, `001/fixed-line-or-mobile`, has 24 characters. */
export const MAX_SELECTOR_LENGTH = 64;
/**
 * Longest region text (`homeCountry`, a `phoneContexts` value): far more than a region code, so that
 * a wrong value is still explained as a region problem.
 */
export const MAX_REGION_LENGTH = 100;
/** Longest `$schema` reference. */
export const MAX_SCHEMA_REFERENCE_LENGTH = 1_000;
/** Most entries in `phoneContexts`. */
export const MAX_PHONE_CONTEXTS = 1_000;
/** Longest domain name in `phoneContexts`: the DNS limit on a name's text form. */
export const MAX_DOMAIN_LENGTH = 253;

// Type-only: the TypeScript type of a string node that is narrower than `string`. Never set at run
// time; `textOf` attaches it to a spec node.
declare const TEXT_TYPE: unique symbol;
interface Typed<T extends string> {
  readonly [TEXT_TYPE]?: T;
}

/** One node of the document description. `doc` becomes the schema's `description`. */
export type FieldSpec =
  | { readonly kind: 'boolean'; readonly doc: string }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly doc: string }
  | {
      readonly kind: 'string';
      readonly maxLength: number;
      /** A shape check for editors only; the runtime check of meaning is stricter. */
      readonly schemaPattern?: string;
      /**
       * The exact values, listed by schema.ts from the module that owns them (the same list the
       * runtime check reads), so that editors complete them and flag the rest.
       */
      readonly schemaValues?: 'region' | 'selector';
      /** What an editor says of a value that fails the schema, in place of the raw pattern. */
      readonly schemaMessage?: string;
      readonly doc: string;
    }
  | {
      readonly kind: 'list';
      readonly maxItems: number;
      readonly item: StringSpec;
      readonly doc: string;
    }
  /** A money amount: `"$0.0500"`, an exact JSON number, or `null` for none (meaning checked by src/rate). */
  | {
      readonly kind: 'cap';
      readonly schemaPattern: string;
      readonly schemaMessage: string;
      readonly doc: string;
    }
  /** A whole number from `min` to `max`, or also `null` when `nullable` (a limit that is lifted). */
  | {
      readonly kind: 'integer';
      readonly min: number;
      readonly max: number;
      readonly nullable: boolean;
      readonly doc: string;
    }
  | {
      readonly kind: 'object';
      readonly fields: Readonly<Record<string, FieldSpec>>;
      readonly required: readonly string[];
      /** Also `null`, which lifts the rule (as `"callingHours": null` in an extension). */
      readonly nullable?: boolean;
      readonly doc: string;
    }
  | {
      readonly kind: 'map';
      readonly maxEntries: number;
      /** What a key is, for messages ("extension id"). */
      readonly keyName: string;
      readonly keyMaxLength: number;
      /** A shape check of keys for editors only; the runtime check of meaning is stricter. */
      readonly keySchemaPattern?: string;
      /** What an editor says of a key that fails `keySchemaPattern`. */
      readonly keySchemaMessage?: string;
      readonly value: FieldSpec;
      readonly doc: string;
    };

/** A string node, the only kind a list may hold. */
export type StringSpec = Extract<FieldSpec, { kind: 'string' }>;

/** A string node whose TypeScript type is `T` (the runtime check of its meaning is the owner's). */
/* @__NO_SIDE_EFFECTS__ */
function textOf<T extends string>(spec: StringSpec): StringSpec & Typed<T> {
  return spec;
}

const selector = textOf<CallingSelector>({
  kind: 'string',
  maxLength: MAX_SELECTOR_LENGTH,
  schemaValues: 'selector',
  schemaMessage:
    'Not a calling-area selector. Write a region ("GB"), a region and a number type ("GB/mobile"), a number type in every region ("*/premium-rate"), an E.164 prefix ("+1876") or "001" (non-geographic numbers).',
  doc: 'A calling-area selector: "GB", "GB/mobile", "*/premium-rate", "+1876" or "001".',
});

// The money format of a cap: at most 6 integer digits and 4 decimals (the runtime check is src/rate's).
const MONEY_PATTERN = '^\\$?(?:(?:0|[1-9][0-9]{0,5})(?:\\.[0-9]{1,4}0*)?|\\.[0-9]{1,4}0*)$';
const MONEY_MESSAGE =
  'Not a USD amount sipguard reads exactly. Write dollars with at most 4 decimals, as text ("$0.0500", "0.05") or a JSON number, or null for none.';
/** A region code in a policy: offered and checked from the phone metadata's own list. */
const region = (doc: string) =>
  textOf<RegionCode>({
    kind: 'string',
    maxLength: MAX_REGION_LENGTH,
    schemaValues: 'region',
    schemaMessage:
      'Not a region sipguard knows. Write an upper-case ISO 3166-1 alpha-2 code such as "US", "GB" or "JM" (the United Kingdom is "GB", not "UK").',
    doc,
  });
const WEEKDAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const DAYS = `${WEEKDAY}(?:-${WEEKDAY})?`;

const timeZone = (doc: string) =>
  ({
    kind: 'string',
    maxLength: MAX_TIME_ZONE_LENGTH,
    schemaPattern: '^[A-Z][A-Za-z0-9_+-]*(?:/[A-Z][A-Za-z0-9_+-]*)*$',
    schemaMessage:
      'Not an IANA time zone name. Write one such as "UTC", "America/New_York" or "Europe/London"; offsets such as "+02:00" are not accepted.',
    doc,
  }) as const;

const count = (doc: string) =>
  ({ kind: 'integer', min: 0, max: MAX_LIMIT_COUNT, nullable: true, doc }) as const;

/** The limits that count, the same in `accountLimits` (totals) and `extensionLimits` (each extension's own). */
export const LIMIT_FIELDS = {
  concurrentCalls: count(
    'Most calls in progress at once (from their start until their end); null for no limit.',
  ),
  callsPerMinute: count('Most calls started in one clock minute (UTC); null for no limit.'),
  callsPerHour: count('Most calls started in one clock hour (UTC); null for no limit.'),
  callsToSameNumberPerHour: count(
    'Most calls to one E.164 number in one clock hour (UTC); null for no limit.',
  ),
  spendPerDay: {
    kind: 'cap',
    schemaPattern: MONEY_PATTERN,
    schemaMessage: MONEY_MESSAGE,
    doc: 'Most USD the calls started on one local day (in timeZone) may cost, reservations included; at most 4 decimals ("$25.00"); null for no limit.',
  },
} as const satisfies Readonly<Record<string, FieldSpec>>;

/** The rule fields, the same at account level and in an extension override. */
export const RULE_FIELDS = {
  homeCountry: region(
    'ISO 3166-1 alpha-2 region the users dial from; decides how national numbers and emergency numbers are read.',
  ),
  registration: {
    kind: 'object',
    fields: {
      restrict: {
        kind: 'boolean',
        doc: 'true: only addresses in allowFrom may register (an empty list denies every registration). false: no restriction.',
      },
      allowFrom: {
        kind: 'list',
        maxItems: MAX_ALLOW_FROM_ENTRIES,
        item: {
          kind: 'string',
          // The IP module's own bound: an entry it would refuse by length is refused here the same.
          maxLength: MAX_ENTRY_LENGTH,
          doc: 'An address, a range "a-b", a CIDR "a/n" or an IPv4 network with a mask "a/255.255.255.0".',
        },
        doc: 'Source addresses allowed to register. Kept but inactive while restrict is false.',
      },
    },
    required: ['restrict'],
    doc: 'IP allow-list for SIP registrations.',
  },
  calling: {
    kind: 'object',
    fields: {
      allow: {
        kind: 'list',
        maxItems: MAX_SELECTORS,
        item: selector,
        doc: 'Selectors a call must match one of; absent means any destination not denied.',
      },
      deny: {
        kind: 'list',
        maxItems: MAX_SELECTORS,
        item: selector,
        doc: 'Selectors that block a call; deny overrides allow.',
      },
      emergency: {
        kind: 'enum',
        values: ['allow', 'apply-rules'],
        doc: '"allow" (default): emergency numbers of the home country are always allowed. "apply-rules": they are checked like any call.',
      },
    },
    required: [],
    doc: 'Allowed calling areas for outbound calls.',
  },
  maxRatePerMinute: {
    kind: 'cap',
    schemaPattern: MONEY_PATTERN,
    schemaMessage: MONEY_MESSAGE,
    doc: 'Highest per-minute rate in USD a call may cost, at most 4 decimals ("$0.0500"); null for no cap.',
  },
  onUnknownRate: {
    kind: 'enum',
    values: ['deny', 'allow'],
    doc: 'What to do when a cap or a spendPerDay is in force and the rate of a call is not known: "deny" (default) or "allow".',
  },
  extensionLimits: {
    kind: 'object',
    fields: LIMIT_FIELDS,
    required: [],
    doc: "Limits on each extension's own counters. At the top level, every extension's default; in an extension, its own values, limit by limit (null lifts one).",
  },
  maxCallSeconds: {
    kind: 'integer',
    min: 1,
    max: MAX_CALL_SECONDS,
    nullable: false,
    doc: 'The longest a call may last, in seconds (default 14400): a start reserves spend for it, and a call whose end never arrives is released after it.',
  },
  callingHours: {
    kind: 'object',
    nullable: true,
    fields: {
      timeZone: timeZone("The IANA time zone the windows are read in; default the account's timeZone."),
      allow: {
        kind: 'list',
        maxItems: MAX_HOURS_ENTRIES,
        item: {
          kind: 'string',
          maxLength: MAX_HOURS_ENTRY_LENGTH,
          schemaPattern: `^${DAYS}(?:,${DAYS})* [0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$`,
          schemaMessage:
            'Not a calling-hours entry. Write days (mon, tue, wed, thu, fri, sat, sun; a range "mon-fri"; a list "sat,sun"), a space and a 24-hour window: "mon-fri 08:00-18:00".',
          doc: 'Days and a local window: "mon-fri 08:00-18:00", "sat,sun 10:00-14:00"; a window that ends before it starts crosses midnight ("fri 22:00-06:00").',
        },
        doc: 'When calls may start; an empty list allows none.',
      },
    },
    required: ['allow'],
    doc: 'When calls may start, on the local wall clock; null lifts the restriction (in an extension). Emergency calls are never refused.',
  },
} as const satisfies Readonly<Record<string, FieldSpec>>;

/** The whole policy document. */
export const DOCUMENT_SPEC = {
  kind: 'object',
  fields: {
    $schema: {
      kind: 'string',
      maxLength: MAX_SCHEMA_REFERENCE_LENGTH,
      doc: 'The JSON Schema of this file, for editors (for example "./node_modules/sipguard/schema/policy.schema.json"); ignored by sipguard.',
    },
    timeZone: timeZone(
      "The account's IANA time zone (default UTC): the spend day runs from local midnight to local midnight, DST included.",
    ),
    accountLimits: {
      kind: 'object',
      fields: LIMIT_FIELDS,
      required: [],
      doc: 'Limits on the account as a whole: one counter for all extensions together, which no extension can exceed.',
    },
    ...RULE_FIELDS,
    phoneContexts: {
      kind: 'map',
      maxEntries: MAX_PHONE_CONTEXTS,
      keyName: 'domain name',
      keyMaxLength: MAX_DOMAIN_LENGTH,
      keySchemaPattern:
        '^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.?$',
      keySchemaMessage:
        'Not a domain name. A phone-context key is a domain such as "ims.mnc008.mcc310.3gppnetwork.org"; a "+1" context is a global number prefix, not a domain.',
      value: region('The ISO 3166-1 alpha-2 region whose local numbers this phone-context holds.'),
      doc: 'Domain-name phone-contexts (RFC 3966, such as "ims.mnc008.mcc310.3gppnetwork.org") and the region their local numbers are read in; a local number with an unlisted domain context is refused. Case-insensitive.',
    },
    extensions: {
      kind: 'map',
      maxEntries: MAX_EXTENSIONS,
      keyName: 'extension id',
      keyMaxLength: MAX_EXTENSION_ID_LENGTH,
      // validate.ts refuses every hidden character; an editor flags the common ones and end spaces.
      keySchemaPattern: `^[^ ${COMMON_HIDDEN_CLASS}](?:[^${COMMON_HIDDEN_CLASS}]*[^ ${COMMON_HIDDEN_CLASS}])?$`,
      keySchemaMessage:
        "An extension id exactly as requests carry it: no space at either end and no hidden character (such as a zero-width or no-break space), which no request would match, so the extension's rules would never apply.",
      value: {
        kind: 'object',
        fields: RULE_FIELDS,
        required: [],
        doc: 'Rules of one extension; each field set here replaces the account value entirely.',
      },
      doc: 'Per-extension overrides, keyed by extension id (an opaque string).',
    },
  },
  required: [],
  doc: 'A sipguard policy: account-wide rules and per-extension overrides.',
} as const satisfies Extract<FieldSpec, { kind: 'object' }>;

// --- the TypeScript type of a document, read off the spec ---------------------------------------

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of the values a spec node accepts. */
export type Infer<S> = S extends { readonly kind: 'boolean' }
  ? boolean
  : S extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
    ? V
    : S extends { readonly kind: 'string' }
      ? S extends Typed<infer T extends string>
        ? T
        : string
      : S extends { readonly kind: 'list'; readonly item: infer I }
        ? readonly Infer<I>[]
        : S extends { readonly kind: 'cap' }
          ? string | number | null
          : S extends { readonly kind: 'integer'; readonly nullable: infer N }
            ? N extends true
              ? number | null
              : number
            : S extends {
                  readonly kind: 'object';
                  readonly fields: infer F;
                  readonly required: readonly (infer R)[];
                }
              ?
                  | Simplify<
                      { readonly [K in keyof F as K extends R ? K : never]: Infer<F[K]> } & {
                        readonly [K in keyof F as K extends R ? never : K]?: Infer<F[K]>;
                      }
                    >
                  | (S extends { readonly nullable: true } ? null : never)
              : S extends { readonly kind: 'map'; readonly value: infer V }
                ? { readonly [id: string]: Infer<V> }
                : never;

/** The rule fields of the account or of one extension (see docs/policy.md). */
export type PolicyRules = Infer<{ kind: 'object'; fields: typeof RULE_FIELDS; required: [] }>;

/**
 * A policy document as TypeScript sees it, derived from the same spec as the runtime validator and
 * the JSON Schema. Compilation still checks meaning the type cannot (an IP entry parses, a cap is
 * exact money) and reports it as an `invalid-policy` error.
 */
export type PolicyDocument = Infer<typeof DOCUMENT_SPEC>;
