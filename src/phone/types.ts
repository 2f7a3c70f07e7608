// The result types of classifying a dialed string. Plain, immutable, JSON-serializable data.

/** What kind of number a destination is, as libphonenumber-js (`max` metadata) determines it. */
export type NumberType =
  | 'fixed-line'
  | 'mobile'
  | 'fixed-line-or-mobile'
  | 'toll-free'
  | 'premium-rate'
  | 'shared-cost'
  | 'voip'
  | 'personal-number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

/** Every {@link NumberType}, in the order of the union. */
export const NUMBER_TYPES: readonly NumberType[] = [
  'fixed-line',
  'mobile',
  'fixed-line-or-mobile',
  'toll-free',
  'premium-rate',
  'shared-cost',
  'voip',
  'personal-number',
  'pager',
  'uan',
  'voicemail',
  'unknown',
];

/** Why a dialed string could not be classified (see docs/calling-areas.md). */
export type DialedFailureCode =
  | 'empty'
  | 'too-long'
  | 'not-a-number'
  | 'invalid-number'
  | 'unknown-country-code'
  | 'unsupported-uri'
  | 'unmapped-phone-context'
  | 'invalid-home-country';

/** A dialed string that is a valid telephone number. */
export interface DialedNumber {
  readonly ok: true;
  readonly emergency: false;
  /** The number in E.164 form: `+` and up to 15 digits. */
  readonly e164: string;
  /** ISO 3166-1 alpha-2 region the number belongs to, or `"001"` for non-geographic codes. */
  readonly country: string;
  readonly type: NumberType;
}

/** A dialed string that is one of the home country's emergency numbers. */
export interface DialedEmergency {
  readonly ok: true;
  readonly emergency: true;
  /** The emergency number as dialed, digits only (`"911"`). */
  readonly number: string;
  /** The home country, where the emergency number applies. */
  readonly country: string;
}

/** A dialed string that could not be classified; calls to it must be denied. */
export interface DialedFailure {
  readonly ok: false;
  readonly code: DialedFailureCode;
  /** Says what is wrong and quotes the input. */
  readonly message: string;
}

/** The result of {@link classifyDialed}: a number, an emergency number, or a failure. */
export type DialedClassification = DialedNumber | DialedEmergency | DialedFailure;

/** Options of {@link classifyDialed}. */
export interface ClassifyDialedOptions {
  /** The ISO 3166-1 alpha-2 region the call is placed from: decides national and IDD forms. */
  readonly homeCountry: string;
  /**
   * Domain-name phone-contexts (RFC 3966) whose local numbers belong to a region, keyed in lower case
   * without a final dot: `new Map([['ims.mnc008.mcc310.3gppnetwork.org', 'US']])`. A local number
   * with a domain context not in the map is refused (`unmapped-phone-context`). Build the map once:
   * cached results are reused only for the same map object.
   */
  readonly phoneContexts?: ReadonlyMap<string, string>;
}
