// Lint results of a policy: valid but suspicious parts of the document, found once at compile time.
import {
  DEFAULT_MAX_CALL_SECONDS,
  DEFAULT_TIME_ZONE,
  type IpAllowList,
  type IpFinding,
  type IpFindingSeverity,
  LIMIT_NAMES,
  type LimitFields,
} from './deps.js';
import type { LevelLimits, LevelRules } from './rules.js';

/** Codes of policy lint findings (see docs/policy.md); IP-entry findings keep the code src/ip gives them. */
export type PolicyFindingCode =
  | 'registration-denies-all'
  | 'allow-list-inactive'
  | 'override-identical'
  | 'cap-without-rate-table'
  | 'home-country-missing'
  | 'calling-hours-never'
  | 'spend-limit-without-rate-table'
  | 'limit-above-account-total'
  | IpFinding['code'];

/** `warning` (likely a mistake; `sipguard check --strict` fails on it) or `info`; nothing that compiles is an error. */
export type PolicyFindingSeverity = IpFindingSeverity;

/**
 * A lint result: the policy is valid and compiles, but something in it deserves a look.
 * `path` is a JSON pointer into the document.
 */
export interface PolicyFinding {
  readonly path: string;
  readonly code: PolicyFindingCode;
  readonly severity: PolicyFindingSeverity;
  readonly message: string;
}

/** The findings of a compiled document: per level, across levels, and those of each allow-list where it appears. */
export function collectFindings(
  account: LevelRules,
  extensions: ReadonlyMap<string, LevelRules>,
  lists: readonly { readonly list: IpAllowList; readonly path: string }[],
  hasRates: boolean,
): readonly PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  const levels = [account, ...extensions.values()];
  for (const level of levels) {
    const registration = level.registration;
    const at = `${level.path}/registration`;
    if (registration?.restrict === true && registration.allowFrom.length === 0) {
      findings.push({
        path: at,
        code: 'registration-denies-all',
        // Legitimate (the FAQ's "denies all"), so not an error; but a lock-out when unintended.
        severity: 'warning',
        message: `restrict is true with an empty allowFrom: this denies all registrations, including your own${level.scope === 'account' ? ' (for every extension without its own registration rule)' : ''}`,
      });
    }
    if (registration?.restrict === false && registration.allowFrom.length > 0) {
      findings.push({
        path: `${at}/allowFrom`,
        code: 'allow-list-inactive',
        severity: 'info',
        message: `allowFrom lists ${registration.allowFrom.length} entries but restrict is false, so the list is not enforced`,
      });
    }
    if (level.cap !== undefined && level.cap !== null && !hasRates) {
      findings.push({
        path: `${level.path}/maxRatePerMinute`,
        code: 'cap-without-rate-table',
        severity: 'warning',
        message: `a cap of $${level.cap.toString()} is set but the policy was compiled without a rate deck: calls without an explicit ratePerMinute have an unknown rate`,
      });
    }
  }
  if (account.homeCountry === undefined) {
    findings.push({
      path: '/homeCountry',
      code: 'home-country-missing',
      severity: 'warning',
      message:
        'no account homeCountry: checkCall denies every call (invalid-number) for extensions that set none, since dialed numbers cannot be read without one',
    });
  }
  findings.push(
    ...limitFindings(
      account.limits,
      [...extensions.values()].map((level) => level.limits),
      hasRates,
    ),
  );
  for (const level of extensions.values()) findings.push(...identicalOverrides(level, account));
  for (const { list, path } of lists) {
    for (const finding of list.findings) {
      findings.push({
        path: `${path}/${finding.index}`,
        code: finding.code,
        severity: finding.severity,
        message: finding.message,
      });
    }
  }
  return Object.freeze(findings.map((f) => Object.freeze(f)));
}

// An extension field that changes nothing is likely a leftover: after the account rule changes, the
// extension silently keeps the old one.
function identicalOverrides(level: LevelRules, account: LevelRules): PolicyFinding[] {
  const found: PolicyFinding[] = [];
  const same = (field: string, what: string) =>
    found.push({
      path: `${level.path}/${field}`,
      code: 'override-identical',
      severity: 'info',
      message: `this extension's ${what} is the same as the account's; omit it to inherit the account's rule`,
    });
  const registrationKey = (l: LevelRules) =>
    l.registration === undefined || !l.registration.restrict
      ? 'unrestricted'
      : JSON.stringify(l.registration.allowFrom);
  if (level.registration !== undefined && registrationKey(level) === registrationKey(account)) {
    same('registration', 'registration rule');
  }
  if (level.calling !== undefined && level.calling.canonical === account.calling?.canonical) {
    same('calling', 'calling rule');
  }
  if (level.cap !== undefined) {
    const mine = level.cap;
    const theirs = account.cap ?? null;
    if (mine === null ? theirs === null : theirs !== null && mine.equals(theirs)) {
      same('maxRatePerMinute', 'maxRatePerMinute');
    }
  }
  if (level.onUnknownRate !== undefined && level.onUnknownRate === (account.onUnknownRate ?? 'deny')) {
    same('onUnknownRate', 'onUnknownRate');
  }
  if (level.homeCountry !== undefined && level.homeCountry === account.homeCountry) {
    same('homeCountry', 'homeCountry');
  }
  const mine = level.limits;
  const theirs = account.limits;
  for (const name of LIMIT_NAMES) {
    const bound = mine.extensionLimits?.[name];
    if (bound !== undefined && bound === (theirs.extensionLimits?.[name] ?? null)) {
      same(`extensionLimits/${name}`, `extensionLimits.${name}`);
    }
  }
  if (
    mine.maxCallSeconds !== undefined &&
    mine.maxCallSeconds === (theirs.maxCallSeconds ?? DEFAULT_MAX_CALL_SECONDS)
  ) {
    same('maxCallSeconds', 'maxCallSeconds');
  }
  const hoursKey = (l: LevelLimits) =>
    l.callingHours === undefined || l.callingHours === null
      ? 'none'
      : JSON.stringify([
          l.callingHours.hours.entries,
          l.callingHours.timeZone ?? theirs.timeZone ?? DEFAULT_TIME_ZONE,
        ]);
  if (mine.callingHours !== undefined && hoursKey(mine) === hoursKey(theirs))
    same('callingHours', 'callingHours');
  return found;
}

// The usage-limit fields: hours that allow nothing, spend without a deck, limits above the total.
function limitFindings(
  account: LevelLimits,
  extensions: readonly LevelLimits[],
  hasRates: boolean,
): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  for (const level of [account, ...extensions]) {
    const hours = level.callingHours;
    if (hours !== undefined && hours !== null && hours.hours.entries.length === 0) {
      findings.push({
        path: `${level.path}/callingHours/allow`,
        code: 'calling-hours-never',
        severity: 'warning',
        message: `callingHours.allow is empty: every call except emergency calls is refused${level.scope === 'account' ? ' (for every extension without its own callingHours)' : ''}`,
      });
    }
    const own: readonly [string, LimitFields | undefined][] = [
      ['extensionLimits', level.extensionLimits],
      ['accountLimits', level.accountLimits],
    ];
    for (const [field, limits] of own) {
      const spend = limits?.spendPerDay;
      if (typeof spend === 'number' && !hasRates) {
        findings.push({
          path: `${level.path}/${field}/spendPerDay`,
          code: 'spend-limit-without-rate-table',
          severity: 'warning',
          message:
            'a spendPerDay is set but the policy was compiled without a rate deck: calls without an explicit ratePerMinute have an unknown rate, and are denied (or reserved at zero under onUnknownRate "allow")',
        });
      }
    }
    const totals = account.accountLimits ?? {};
    for (const name of LIMIT_NAMES) {
      const mine = level.extensionLimits?.[name];
      const total = totals[name];
      if (typeof mine === 'number' && typeof total === 'number' && mine > total) {
        findings.push({
          path: `${level.path}/extensionLimits/${name}`,
          code: 'limit-above-account-total',
          severity: 'info',
          message: `this per-extension ${name} is above the account total (accountLimits.${name}), which is reached first`,
        });
      }
    }
  }
  return findings;
}
