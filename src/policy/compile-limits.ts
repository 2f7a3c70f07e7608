// The usage-limit fields of a policy: read from the checked shape (meaning from src/limits and
// src/rate) and resolved once per extension into LimitRules; compile.ts calls these, findings.ts lints them.
import type { DecisionScope } from './decision.js';
import {
  boundsOf,
  checkTimeZone,
  compileCallingHours,
  DEFAULT_MAX_CALL_SECONDS,
  DEFAULT_TIME_ZONE,
  hasBounds,
  LIMIT_NAMES,
  type LimitFields,
  type LimitName,
  type LimitRules,
  parseMoneyLimit,
  resolveExtensionBounds,
  ZoneClock,
} from './deps.js';
import type { LevelLimits } from './rules.js';
import type { PolicyIssue, Shaped, ShapedObject } from './validate.js';

// 10^-8 USD units per micro-dollar: a limit with at most 4 decimals is a whole number of micro-dollars.
const UNITS_PER_MICRO = 100;

const isMap = (value: Shaped | undefined): value is ShapedObject => value instanceof Map;

function readLimitFields(
  fields: ShapedObject,
  path: string,
  report: (issues: readonly PolicyIssue[]) => void,
): LimitFields {
  const limits: { -readonly [L in LimitName]?: number | null } = {};
  for (const name of LIMIT_NAMES) {
    if (!fields.has(name)) continue;
    const value = fields.get(name);
    if (name === 'spendPerDay') {
      const parsed = parseMoneyLimit(value, `${path}/${name}`, 'spend limit');
      report(parsed.issues);
      if (parsed.units !== undefined)
        limits[name] = parsed.units === null ? null : parsed.units / UNITS_PER_MICRO;
    } else if (typeof value === 'number' || value === null) {
      limits[name] = value;
    }
  }
  return limits;
}

function readTimeZone(
  value: Shaped | undefined,
  path: string,
  report: (issues: readonly PolicyIssue[]) => void,
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const checked = checkTimeZone(value);
  if (checked.ok) return checked.zone;
  report([{ path, code: 'invalid-time-zone', message: checked.message, input: value }]);
  return undefined;
}

/** Reads the limit fields of one level; at account scope also the top-level-only `timeZone` and `accountLimits`. */
export function readLevelLimits(
  fields: ShapedObject,
  path: string,
  scope: DecisionScope,
  report: (issues: readonly PolicyIssue[]) => void,
): LevelLimits {
  const level: LevelLimits = { path, scope };
  const extensionLimits = fields.get('extensionLimits');
  if (isMap(extensionLimits))
    level.extensionLimits = readLimitFields(extensionLimits, `${path}/extensionLimits`, report);
  const maxCallSeconds = fields.get('maxCallSeconds');
  if (typeof maxCallSeconds === 'number') level.maxCallSeconds = maxCallSeconds;

  const callingHours = fields.get('callingHours');
  if (callingHours === null) level.callingHours = null;
  else if (isMap(callingHours)) {
    const at = `${path}/callingHours`;
    const timeZone = readTimeZone(callingHours.get('timeZone'), `${at}/timeZone`, report);
    const allow = callingHours.get('allow');
    if (Array.isArray(allow)) {
      // Items the shape walk rejected are undefined; compile the rest, keeping their indexes.
      const present = allow.flatMap((entry, index) => (entry === undefined ? [] : [{ entry, index }]));
      const compiled = compileCallingHours(present.map((p) => p.entry));
      report(
        compiled.problems.map((problem) => ({
          path: `${at}/allow/${present[problem.index]?.index ?? problem.index}`,
          code: 'invalid-calling-hours' as const,
          message: problem.message,
          input: problem.input,
        })),
      );
      const zoneOk = !callingHours.has('timeZone') || timeZone !== undefined;
      if (compiled.hours !== undefined && present.length === allow.length && zoneOk) {
        level.callingHours = { hours: compiled.hours, timeZone };
      }
    }
  }

  if (scope === 'account') {
    const timeZone = readTimeZone(fields.get('timeZone'), `${path}/timeZone`, report);
    if (timeZone !== undefined) level.timeZone = timeZone;
    const accountLimits = fields.get('accountLimits');
    if (isMap(accountLimits))
      level.accountLimits = readLimitFields(accountLimits, `${path}/accountLimits`, report);
  }
  return level;
}

/** Resolves the limit rules of each extension from the account's fields and its own, sharing what is inherited. */
export class LimitResolver {
  readonly #account: LevelLimits;
  readonly #clocks = new Map<string, ZoneClock>();
  readonly #accountRules: LimitRules;

  constructor(account: LevelLimits) {
    this.#account = account;
    this.#accountRules = this.#build(undefined);
  }

  /** The rules of an extension with these fields, or of an unlisted extension (`undefined`). */
  resolve(level: LevelLimits | undefined): LimitRules {
    if (
      level === undefined ||
      (level.extensionLimits === undefined &&
        level.maxCallSeconds === undefined &&
        level.callingHours === undefined)
    ) {
      return this.#accountRules;
    }
    return this.#build(level);
  }

  #clock(zone: string): ZoneClock {
    let clock = this.#clocks.get(zone);
    if (clock === undefined) {
      clock = new ZoneClock(zone);
      this.#clocks.set(zone, clock);
    }
    return clock;
  }

  #build(level: LevelLimits | undefined): LimitRules {
    const account = this.#account;
    const accountZone = account.timeZone ?? DEFAULT_TIME_ZONE;
    const accountBounds = boundsOf(account.accountLimits ?? {});
    const extension = resolveExtensionBounds(account.extensionLimits ?? {}, level?.extensionLimits);
    const ownSeconds = level?.maxCallSeconds;
    const hoursLevel = level?.callingHours !== undefined ? level : account;
    const hours = hoursLevel.callingHours ?? undefined;
    return Object.freeze({
      accountBounds,
      extensionBounds: extension.bounds,
      extensionScopes: extension.scopes,
      counting: hasBounds(accountBounds) || hasBounds(extension.bounds),
      spendLimited: accountBounds.spendPerDay !== undefined || extension.bounds.spendPerDay !== undefined,
      maxCallSeconds: ownSeconds ?? account.maxCallSeconds ?? DEFAULT_MAX_CALL_SECONDS,
      maxCallSecondsScope: ownSeconds !== undefined ? 'extension' : 'account',
      dayClock: this.#clock(accountZone),
      hours:
        hours === undefined
          ? undefined
          : Object.freeze({
              scope: hoursLevel.scope,
              hours: hours.hours,
              clock: this.#clock(hours.timeZone ?? accountZone),
            }),
    });
  }
}
