// A deliberately simple, independent model of sipguard's decision semantics (docs/policy.md,
// docs/decisions.md): registration allow-lists, calling areas with selectors, the rate cap with
// onUnknownRate, emergency numbers, and extension-over-account precedence. It uses plain arrays,
// BigInt address values from hand-written tables, BigInt-scaled money and string comparisons, and a
// stub classifier that asks libphonenumber-js directly. It shares no code with src/.
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type Scope = 'account' | 'extension';

/** One level of a policy document as the generators write it (a subset of the real document). */
export interface ModelRules {
  homeCountry?: string;
  registration?: { restrict: boolean; allowFrom?: string[] };
  calling?: { allow?: string[]; deny?: string[]; emergency?: 'allow' | 'apply-rules' };
  maxRatePerMinute?: string | null;
  onUnknownRate?: 'deny' | 'allow';
}
export interface ModelPolicy extends ModelRules {
  extensions?: Record<string, ModelRules>;
}

export interface ModelDecision {
  allowed: boolean;
  code: string;
  scope: Scope;
  matched?: string;
}

// ---- addresses ---------------------------------------------------------------------------------

/** An allow-list entry with its inclusive bounds, written out by hand. */
export interface ModelEntry {
  readonly text: string;
  readonly family: 4 | 6;
  readonly lo: bigint;
  readonly hi: bigint;
}
/** A source address with its value, or `family: 0` for text that is not a valid address. */
export interface ModelSource {
  readonly text: string;
  readonly family: 0 | 4 | 6;
  readonly value: bigint;
}

// ---- money: amounts as BigInt counts of 10^-8 dollars -------------------------------------------

const SCALE_DIGITS = 8;

/** The amount in units of 10^-8 USD, or undefined if the text is not a valid amount. */
export function scaledAmount(text: string, maxDecimals: number): bigint | undefined {
  const match = /^\$?(0|[1-9][0-9]{0,5})?(?:\.([0-9]+))?$/.exec(text);
  if (match === null) return undefined;
  const whole = match[1];
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (whole === undefined && match[2] === undefined) return undefined;
  if (fraction.length > maxDecimals) return undefined;
  return (
    BigInt(whole ?? '0') * 10n ** BigInt(SCALE_DIGITS) + BigInt(fraction.padEnd(SCALE_DIGITS, '0') || '0')
  );
}

// ---- destinations ------------------------------------------------------------------------------

const EMERGENCY: Record<string, readonly string[]> = { US: ['911', '112'], GB: ['999', '112'] };

type Destination =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'emergency'; readonly number: string }
  | { readonly kind: 'number'; readonly e164: string; readonly country: string; readonly type: string };

/**
 * The stub classifier: the home country's emergency numbers, else numbers read by libphonenumber-js
 * as dialed from the home country (`+` numbers, national and IDD forms).
 */
export function stubClassify(dialed: string, home: string): Destination {
  if ((EMERGENCY[home] ?? []).includes(dialed)) return { kind: 'emergency', number: dialed };
  const phone = parsePhoneNumberFromString(dialed, home as CountryCode);
  const type = phone?.getType();
  if (phone === undefined || type === undefined) return { kind: 'invalid' };
  return {
    kind: 'number',
    e164: phone.number,
    country: phone.country ?? '001',
    type: type.toLowerCase().replaceAll('_', '-'),
  };
}

// ---- selectors ---------------------------------------------------------------------------------

function selectorMatches(selector: string, e164: string, country: string, type: string): boolean {
  if (selector.startsWith('+')) return e164.startsWith(selector);
  const [region, selectorType] = selector.split('/');
  if (selectorType !== undefined && selectorType !== type) return false;
  return region === '*' || region === country;
}

function firstMatching(selectors: readonly string[], e164: string, country: string, type: string) {
  return selectors.find((s) => selectorMatches(s, e164, country, type));
}

type Area = { code: 'area-allowed' | 'area-denied' | 'area-not-allowed'; matched?: string };

function area(
  calling: NonNullable<ModelRules['calling']>,
  e164: string,
  country: string,
  type: string,
): Area {
  const denied = firstMatching(calling.deny ?? [], e164, country, type);
  if (denied !== undefined) return { code: 'area-denied', matched: denied };
  if (calling.allow === undefined) return { code: 'area-allowed' };
  const allowed = firstMatching(calling.allow, e164, country, type);
  return allowed === undefined ? { code: 'area-not-allowed' } : { code: 'area-allowed', matched: allowed };
}

// ---- precedence ------------------------------------------------------------------------------

/** The value of one rule field in force for `extension`, and the level it came from. */
function inForce<K extends keyof ModelRules>(
  policy: ModelPolicy,
  extension: string,
  field: K,
): { value: ModelRules[K]; scope: Scope } {
  const own = Object.hasOwn(policy.extensions ?? {}, extension) ? policy.extensions?.[extension] : undefined;
  if (own !== undefined && Object.hasOwn(own, field)) return { value: own[field], scope: 'extension' };
  return { value: policy[field], scope: 'account' };
}

function withMatched(decision: ModelDecision, matched: string | undefined): ModelDecision {
  return matched === undefined ? decision : { ...decision, matched };
}

// ---- decisions ---------------------------------------------------------------------------------

export function modelRegistration(
  policy: ModelPolicy,
  entries: readonly ModelEntry[],
  extension: string,
  source: ModelSource,
): ModelDecision {
  const { value: rule, scope } = inForce(policy, extension, 'registration');
  if (source.family === 0) return { allowed: false, code: 'invalid-ip', scope };
  if (rule === undefined || !rule.restrict) return { allowed: true, code: 'unrestricted', scope };
  const list = rule.allowFrom ?? [];
  if (list.length === 0) return { allowed: false, code: 'allow-list-empty', scope };
  for (const text of list) {
    const entry = entries.find((e) => e.text === text);
    if (entry === undefined) throw new Error(`model: no table row for entry ${text}`);
    if (entry.family === source.family && entry.lo <= source.value && source.value <= entry.hi) {
      return { allowed: true, code: 'ip-allowed', scope, matched: text };
    }
  }
  return { allowed: false, code: 'ip-not-allowed', scope };
}

/** A deck row: prefix digits (no `+`) and the rate text. */
export interface ModelDeckRow {
  readonly prefix: string;
  readonly rate: string;
}

export function modelCall(
  policy: ModelPolicy,
  deck: readonly ModelDeckRow[] | undefined,
  request: { extension: string; dialed: string; ratePerMinute?: string },
): ModelDecision {
  const home = inForce(policy, request.extension, 'homeCountry');
  const calling = inForce(policy, request.extension, 'calling');
  if (home.value === undefined) return { allowed: false, code: 'invalid-number', scope: home.scope };
  const destination = stubClassify(request.dialed, home.value);
  if (destination.kind === 'invalid') return { allowed: false, code: 'invalid-number', scope: calling.scope };

  if (destination.kind === 'emergency') {
    if (calling.value === undefined || calling.value.emergency !== 'apply-rules') {
      return { allowed: true, code: 'emergency', scope: calling.scope };
    }
    // Checked as a home-country number of unknown type, never against the cap.
    const a = area(calling.value, destination.number, home.value, 'unknown');
    return withMatched({ allowed: a.code === 'area-allowed', code: a.code, scope: calling.scope }, a.matched);
  }

  const { e164, country, type } = destination;
  let areaMatched: string | undefined;
  if (calling.value !== undefined) {
    const a = area(calling.value, e164, country, type);
    if (a.code !== 'area-allowed') {
      return withMatched({ allowed: false, code: a.code, scope: calling.scope }, a.matched);
    }
    areaMatched = a.matched;
  }

  const cap = inForce(policy, request.extension, 'maxRatePerMinute');
  if (cap.value === undefined || cap.value === null) {
    if (calling.value === undefined) return { allowed: true, code: 'unrestricted', scope: calling.scope };
    return withMatched({ allowed: true, code: 'area-allowed', scope: calling.scope }, areaMatched);
  }
  const capAmount = scaledAmount(cap.value, 4);
  if (capAmount === undefined) throw new Error(`model: generated an invalid cap ${cap.value}`);

  const compare = (rate: bigint): ModelDecision =>
    rate > capAmount
      ? { allowed: false, code: 'rate-above-cap', scope: cap.scope }
      : withMatched({ allowed: true, code: 'rate-within-cap', scope: cap.scope }, areaMatched);

  if (request.ratePerMinute !== undefined) {
    const rate = scaledAmount(request.ratePerMinute, 8);
    return rate === undefined ? { allowed: false, code: 'rate-unknown', scope: cap.scope } : compare(rate);
  }
  if (deck !== undefined) {
    const digits = e164.slice(1);
    let best: ModelDeckRow | undefined;
    for (const row of deck) {
      if (digits.startsWith(row.prefix) && (best === undefined || row.prefix.length > best.prefix.length)) {
        best = row;
      }
    }
    if (best !== undefined) {
      const rate = scaledAmount(best.rate, 8);
      if (rate === undefined) throw new Error(`model: invalid deck rate ${best.rate}`);
      return compare(rate);
    }
  }
  const unknown = inForce(policy, request.extension, 'onUnknownRate');
  // The level that set onUnknownRate decides; when no level set it, the cap's level did.
  const scope = unknown.value === undefined ? cap.scope : unknown.scope;
  return { allowed: unknown.value === 'allow', code: 'rate-unknown', scope };
}
