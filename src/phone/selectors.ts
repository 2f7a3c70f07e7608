// Calling-area selectors ("GB", "GB/mobile", "*/premium-rate", "+1876", "001") and the `calling`
// rules of a policy. Selectors are compiled into lookup tables once; evaluation parses nothing and
// returns shared, frozen results, so it allocates nothing.
import { MAX_E164_DIGITS } from '../e164.js';
import { hiddenCharacterProblem, quote } from '../text.js';
import { callingCodeLength, isRegionCode, NON_GEOGRAPHIC_REGION, type RegionCode } from './metadata.js';
import { NUMBER_TYPES, type NumberType } from './types.js';

/**
 * A calling-area selector as the type system can tell it: a region, a region and number type, a type
 * in every region, or an E.164 prefix. Compilation is stricter (a prefix must be 1 to 15 digits
 * starting with a known calling code).
 */
export type CallingSelector =
  | RegionCode
  | `${RegionCode}/${NumberType}`
  | typeof NON_GEOGRAPHIC_REGION
  | `${typeof NON_GEOGRAPHIC_REGION}/${NumberType}`
  | `*/${NumberType}`
  | `+${number}`;

/** How emergency calls are decided: always allowed (default), or subject to the calling rules. */
export type EmergencyMode = 'allow' | 'apply-rules';

/** Outcome codes of {@link evaluateCalling}. */
export type CallingCode = 'area-allowed' | 'area-not-allowed' | 'area-denied';

/**
 * The outcome of {@link evaluateCalling}: `matched` is the selector text that decided. A deny always
 * names its selector; an allow names one unless the rules have no `allow` list.
 */
export type CallingOutcome =
  | { readonly code: 'area-allowed'; readonly matched?: string }
  | { readonly code: 'area-not-allowed' }
  | { readonly code: 'area-denied'; readonly matched: string };

/** A classified destination, as {@link evaluateCalling} reads it. */
export interface CallingDestination {
  readonly e164: string;
  readonly country: string;
  readonly type: NumberType;
}

// One list of selectors compiled to lookup tables. Each entry keeps its position in the list, so
// that when several selectors match, the first one in the list is the one reported, and the shared,
// frozen outcome it gives in an allow list and in a deny list.
interface SelectorEntry {
  readonly index: number;
  readonly allowed: CallingOutcome;
  readonly denied: CallingOutcome;
}
interface PrefixEntry extends SelectorEntry {
  /** E.164 prefix with its `+`. */
  readonly prefix: string;
}
interface SelectorTable {
  readonly regions: ReadonlyMap<string, SelectorEntry>;
  readonly regionTypes: ReadonlyMap<string, ReadonlyMap<NumberType, SelectorEntry>>;
  readonly anyRegionTypes: ReadonlyMap<NumberType, SelectorEntry>;
  /** In list order. */
  readonly prefixes: readonly PrefixEntry[];
}

/** Compiled `calling` rules. Opaque: evaluate with {@link evaluateCalling}. */
export interface CallingRules {
  readonly emergency: EmergencyMode;
  /** The allow selectors as written, or undefined when `allow` is absent (everything is allowed). */
  readonly allowSelectors: readonly string[] | undefined;
  readonly denySelectors: readonly string[];
  readonly allow: SelectorTable | undefined;
  readonly deny: SelectorTable;
}

const TYPE_SET: ReadonlySet<string> = /* @__PURE__ */ new Set(NUMBER_TYPES);
function isNumberType(text: string): text is NumberType {
  return TYPE_SET.has(text);
}
const NOT_ALLOWED: CallingOutcome = /* @__PURE__ */ Object.freeze({ code: 'area-not-allowed' });
const ALLOWED_BY_DEFAULT: CallingOutcome = /* @__PURE__ */ Object.freeze({ code: 'area-allowed' });

/** A selector parsed into its parts. */
type Selector =
  | { readonly kind: 'region'; readonly region: string }
  | { readonly kind: 'region-type'; readonly region: string; readonly type: NumberType }
  | { readonly kind: 'any-region-type'; readonly type: NumberType }
  | { readonly kind: 'prefix'; readonly prefix: string };

function isRegionSelector(text: string): boolean {
  return text === NON_GEOGRAPHIC_REGION || isRegionCode(text);
}

function regionProblem(region: string): string {
  if (region === 'UK') return 'region "UK" is not an ISO 3166-1 code: the United Kingdom is "GB"';
  if (/^[a-z]{2}$/.test(region) && isRegionCode(region.toUpperCase())) {
    return `region ${quote(region)} must be upper case: "${region.toUpperCase()}"`;
  }
  return `${quote(region)} is not a region known to libphonenumber-js (ISO 3166-1 alpha-2, or "001" for non-geographic codes)`;
}

const E164_PREFIX_DIGITS = new RegExp(`^[0-9]{1,${MAX_E164_DIGITS}}$`);

/** Parses one selector, or returns what is wrong with it (its length is bounded by the policy spec). */
export function parseSelector(text: string): Selector | string {
  if (text.length === 0) return 'a selector must not be empty';
  const hidden = hiddenCharacterProblem(text);
  if (hidden !== undefined) return hidden;
  if (text.startsWith('+')) {
    const digits = text.slice(1);
    if (!E164_PREFIX_DIGITS.test(digits))
      return `an E.164 prefix is "+" followed by 1 to ${MAX_E164_DIGITS} digits`;
    const length = callingCodeLength(digits);
    if (length === 0) return `${quote(text)} does not start with a known country calling code`;
    return { kind: 'prefix', prefix: text };
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (text === '*')
      return 'use "*/<type>" for a type in every region; an absent "allow" allows every region';
    return isRegionSelector(text) ? { kind: 'region', region: text } : regionProblem(text);
  }
  const region = text.slice(0, slash);
  const type = text.slice(slash + 1);
  if (!isNumberType(type)) {
    return `${quote(type)} is not a number type; expected one of ${NUMBER_TYPES.join(', ')}`;
  }
  if (region === '*') return { kind: 'any-region-type', type };
  if (!isRegionSelector(region)) return regionProblem(region);
  return { kind: 'region-type', region, type };
}

function compileTable(texts: readonly string[], selectors: readonly Selector[]): SelectorTable {
  const regions = new Map<string, SelectorEntry>();
  const regionTypes = new Map<string, Map<NumberType, SelectorEntry>>();
  const anyRegionTypes = new Map<NumberType, SelectorEntry>();
  const prefixes: PrefixEntry[] = [];
  selectors.forEach((selector, index) => {
    const matched = texts[index] ?? '';
    const entry: SelectorEntry = {
      index,
      allowed: Object.freeze({ code: 'area-allowed', matched }),
      denied: Object.freeze({ code: 'area-denied', matched }),
    };
    switch (selector.kind) {
      case 'region':
        if (!regions.has(selector.region)) regions.set(selector.region, entry);
        break;
      case 'region-type': {
        let types = regionTypes.get(selector.region);
        if (types === undefined) {
          types = new Map();
          regionTypes.set(selector.region, types);
        }
        if (!types.has(selector.type)) types.set(selector.type, entry);
        break;
      }
      case 'any-region-type':
        if (!anyRegionTypes.has(selector.type)) anyRegionTypes.set(selector.type, entry);
        break;
      case 'prefix':
        prefixes.push({ ...entry, prefix: selector.prefix });
        break;
    }
  });
  return { regions, regionTypes, anyRegionTypes, prefixes };
}

function earlier(a: SelectorEntry | undefined, b: SelectorEntry | undefined): SelectorEntry | undefined {
  if (a === undefined) return b;
  return b !== undefined && b.index < a.index ? b : a;
}

/** The first selector in `table`, in list order, that matches `destination`. */
function firstMatch(table: SelectorTable, destination: CallingDestination): SelectorEntry | undefined {
  let best = table.regions.get(destination.country);
  best = earlier(best, table.regionTypes.get(destination.country)?.get(destination.type));
  best = earlier(best, table.anyRegionTypes.get(destination.type));
  for (const entry of table.prefixes) {
    if (best !== undefined && entry.index > best.index) break;
    if (destination.e164.startsWith(entry.prefix)) return entry;
  }
  return best;
}

/**
 * Decides a classified destination against compiled rules: a matching `deny` selector wins; otherwise
 * the call is allowed when `allow` is absent or one of its selectors matches. Never throws.
 */
export function evaluateCalling(rules: CallingRules, destination: CallingDestination): CallingOutcome {
  const denied = firstMatch(rules.deny, destination);
  if (denied !== undefined) return denied.denied;
  if (rules.allow === undefined) return ALLOWED_BY_DEFAULT;
  return firstMatch(rules.allow, destination)?.allowed ?? NOT_ALLOWED;
}
/** Why selector `index` of a list does not parse: a sentence that quotes it. */
export interface SelectorProblem {
  readonly index: number;
  readonly message: string;
}

/** One compiled list of selectors, for an `allow` or a `deny` list. Opaque: see {@link callingRules}. */
export interface SelectorList {
  /** The selectors as written, frozen. */
  readonly texts: readonly string[];
  readonly table: SelectorTable;
}

/**
 * Compiles a list of selector texts (already checked to be strings by the policy's shape check):
 * the list, or every selector that does not parse, by index.
 */
export function compileSelectors(
  texts: readonly string[],
): { readonly list: SelectorList } | { readonly problems: readonly SelectorProblem[] } {
  const selectors: Selector[] = [];
  const problems: SelectorProblem[] = [];
  texts.forEach((text, index) => {
    const parsed = parseSelector(text);
    if (typeof parsed === 'string') {
      problems.push({ index, message: `invalid selector ${quote(text)}: ${parsed}` });
    } else selectors.push(parsed);
  });
  if (problems.length > 0) return { problems };
  return { list: { texts: Object.freeze([...texts]), table: compileTable(texts, selectors) } };
}

const NO_SELECTORS: SelectorList = {
  texts: /* @__PURE__ */ Object.freeze([]),
  table: /* @__PURE__ */ compileTable([], []),
};

/**
 * The `calling` rules of one level from its compiled lists: `allow` absent means every destination
 * not denied is allowed; `deny` absent denies nothing.
 */
export function callingRules(
  emergency: EmergencyMode,
  allow: SelectorList | undefined,
  deny: SelectorList | undefined,
): CallingRules {
  const denied = deny ?? NO_SELECTORS;
  return Object.freeze({
    emergency,
    allowSelectors: allow?.texts,
    denySelectors: denied.texts,
    allow: allow?.table,
    deny: denied.table,
  });
}
