// The limit rules of one extension, resolved once at compile time from the policy's checked fields:
// the account totals, the extension's bounds limit by limit (its own value, else the account's
// default), the longest call, the spend day's clock and the calling hours in force.
import type { ZoneClock } from './calendar.js';
import type { CallingHours } from './hours.js';
import { type CounterLevel, type LevelBounds, LIMIT_NAMES, type LimitName } from './ledger.js';

/** Largest count a limit may set (calls in progress, calls per window). */
export const MAX_LIMIT_COUNT = 1_000_000;
/** `maxCallSeconds` when no level sets it: 4 hours. */
export const DEFAULT_MAX_CALL_SECONDS = 14_400;
/** The account's `timeZone` when the policy sets none. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** One level's limit fields as checked: a bound, `null` for "no limit", absent to inherit. Spend in micro-dollars. */
export type LimitFields = { readonly [L in LimitName]?: number | null };

/** The calling hours in force, with the clock that reads them. */
export interface HoursRule {
  readonly scope: CounterLevel;
  readonly hours: CallingHours;
  readonly clock: ZoneClock;
}

/** Everything the stateful step needs for one extension. */
export interface LimitRules {
  /** Bounds on the account's totals (`accountLimits`). */
  readonly accountBounds: LevelBounds;
  /** Bounds on the extension's own counters (`extensionLimits`, resolved per limit). */
  readonly extensionBounds: LevelBounds;
  /** The level that set each bound in `extensionBounds`. */
  readonly extensionScopes: Readonly<Partial<Record<LimitName, CounterLevel>>>;
  /** Whether any bound applies, so that the call goes to the ledger. */
  readonly counting: boolean;
  /** Whether a `spendPerDay` applies at either level, so that the call's rate must be known. */
  readonly spendLimited: boolean;
  readonly maxCallSeconds: number;
  readonly maxCallSecondsScope: CounterLevel;
  /** The account's time zone: the spend day. */
  readonly dayClock: ZoneClock;
  /** Undefined when no calling hours apply. */
  readonly hours: HoursRule | undefined;
}

/** Bounds from one level's fields: `null` and absent fields set no bound. */
export function boundsOf(fields: LimitFields): LevelBounds {
  const bounds: { -readonly [L in LimitName]?: number } = {};
  for (const name of LIMIT_NAMES) {
    const value = fields[name];
    if (typeof value === 'number') bounds[name] = value;
  }
  // Without a prototype and frozen: ledgers check such bounds once (memory-ledger.ts). Made as a
  // literal and then given no prototype, the object keeps V8's fast properties; one made by
  // Object.create(null) is a dictionary, and every read of a bound in a begin a lookup.
  return Object.freeze(Object.setPrototypeOf(bounds, null) as LevelBounds);
}

/** An extension's bounds: per limit, its own field when it sets one (`null` lifts it), else the account default. */
export function resolveExtensionBounds(
  defaults: LimitFields,
  own: LimitFields | undefined,
): { readonly bounds: LevelBounds; readonly scopes: Readonly<Partial<Record<LimitName, CounterLevel>>> } {
  const merged: { -readonly [L in LimitName]?: number | null } = {};
  const scopes: { -readonly [L in LimitName]?: CounterLevel } = {};
  for (const name of LIMIT_NAMES) {
    const mine = own?.[name];
    const value = mine !== undefined ? mine : defaults[name];
    if (typeof value === 'number') {
      merged[name] = value;
      scopes[name] = mine !== undefined ? 'extension' : 'account';
    }
  }
  return { bounds: boundsOf(merged), scopes: Object.freeze(scopes) };
}

/** Whether `bounds` sets any bound. */
export function hasBounds(bounds: LevelBounds): boolean {
  return LIMIT_NAMES.some((name) => bounds[name] !== undefined);
}
