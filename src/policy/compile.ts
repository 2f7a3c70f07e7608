// compilePolicy: validates the whole document (shape from the spec, meaning from the ip, phone and
// rate modules), collects every problem, then resolves precedence once per extension.
import {
  aggregateError,
  argumentError,
  checkOptionNames,
  SipguardError,
  type SipguardIssue,
} from '../errors.js';
import { describeValue, hiddenCharacterProblem, pointerSegment, quote } from '../text.js';
import { LimitResolver, readLevelLimits } from './compile-limits.js';
import type { DecisionScope, RegistrationDecision } from './decision.js';
import {
  callingRules,
  compileAllowList,
  compileSelectors,
  type DeckUnderCap,
  deckUnderCap,
  IpAllowList,
  isRegionCode,
  parseCap,
  phoneContextDomain,
  RateTable,
  type SelectorList,
} from './deps.js';
import { collectFindings } from './findings.js';
import { CompiledPolicy, type Policy } from './policy.js';
import type {
  CallingRule,
  CapRule,
  HomeRule,
  LevelRules,
  RegistrationRule,
  ResolvedRules,
  UnknownRateRule,
} from './rules.js';
import { DOCUMENT_SPEC, type PolicyDocument } from './spec.js';
import { checkShape, type PolicyIssue, type Shaped, type ShapedList, type ShapedObject } from './validate.js';

/** Options of {@link compilePolicy}. */
export interface CompilePolicyOptions {
  /** The rate deck used to price calls that carry no explicit `ratePerMinute`. */
  readonly rates?: RateTable;
}

const isMap = (value: Shaped | undefined): value is ShapedObject => value instanceof Map;
const isList = (value: Shaped | undefined): value is ShapedList => Array.isArray(value);

/**
 * Compiles a policy document written in TypeScript into an immutable {@link Policy}: the compiler
 * rejects unknown fields, wrong types, unknown regions and malformed selectors. Every check still runs
 * at run time, as in {@link compilePolicyJson}.
 */
export function compilePolicy(doc: PolicyDocument, options?: CompilePolicyOptions): Policy {
  return compilePolicyJson(doc, options);
}

/** What {@link safeCompilePolicy} returns: the policy, or every problem with its path. */
export type SafeCompilePolicyResult =
  | { readonly success: true; readonly policy: Policy; readonly issues?: never }
  | { readonly success: false; readonly issues: readonly SipguardIssue[]; readonly policy?: never };

/**
 * {@link compilePolicyJson} without throwing, as valibot's `safeParse`: `{ success: true, policy }`,
 * or `{ success: false, issues }` with every problem of the document (or the one of a wrong
 * `options`). Print them with `formatIssues`.
 */
export function safeCompilePolicy(doc: unknown, options?: CompilePolicyOptions): SafeCompilePolicyResult {
  try {
    return { success: true, policy: compilePolicyJson(doc, options) };
  } catch (e) {
    if (SipguardError.is(e)) return { success: false, issues: e.issues };
    throw e;
  }
}

/**
 * Compiles a policy document of unknown shape (parsed JSON, a loaded YAML file, a database value)
 * into an immutable {@link Policy}. Throws one `SipguardError` with code `invalid-policy` listing
 * every problem with its JSON path; nothing is partially compiled.
 */
export function compilePolicyJson(doc: unknown, options?: CompilePolicyOptions): Policy {
  const rates = ratesOption(options);
  const issues: PolicyIssue[] = [];
  const root = checkShape(doc, DOCUMENT_SPEC, '', issues);
  // The shape walk passes on only well-shaped values, so what the ip, phone and rate modules find
  // below is always a new problem, of meaning.
  const report = (found: readonly PolicyIssue[]) => {
    issues.push(...found);
  };
  const lists = new ListCache();

  let account: LevelRules | undefined;
  let phoneContexts: PhoneContexts | undefined;
  const extensions = new Map<string, LevelRules>();
  if (isMap(root)) {
    account = readLevel(root, '', 'account', lists, report);
    const rawContexts = root.get('phoneContexts');
    if (isMap(rawContexts)) phoneContexts = readPhoneContexts(rawContexts, report);
    const rawExtensions = root.get('extensions');
    if (isMap(rawExtensions)) {
      for (const [id, value] of rawExtensions) {
        if (isMap(value)) {
          extensions.set(
            id,
            readLevel(value, `/extensions/${pointerSegment(id)}`, 'extension', lists, report),
          );
        }
      }
    }
  }
  if (issues.length > 0 || account === undefined) {
    throw aggregateError('invalid-policy', 'invalid policy', issues.sort(byPath));
  }

  const resolver = new Resolver(account, rates, phoneContexts);
  const resolvedAccount = resolver.resolve(undefined);
  const resolvedExtensions = new Map<string, ResolvedRules>();
  for (const [id, level] of extensions) resolvedExtensions.set(id, resolver.resolve(level));

  const findings = collectFindings(account, extensions, lists.placements, rates !== undefined);
  return new CompiledPolicy(resolvedAccount, resolvedExtensions, findings);
}

// Options are an argument, not part of the document: a wrong one is `invalid-argument`, thrown before
// the document is looked at. A deck from another copy of sipguard is refused too: its entries and
// rates belong to that copy's classes.
function ratesOption(options: unknown): RateTable | undefined {
  if (options === undefined) return undefined;
  checkOptionNames('compilePolicy', options, ['rates']);
  const rates: unknown = (options as { rates?: unknown }).rates;
  if (rates === undefined || rates instanceof RateTable) return rates;
  throw argumentError(
    `options.rates must be a RateTable (RateTable.fromCsv(text) or RateTable.from(entries)), got ${describeValue(rates)}`,
  );
}

// Orders issues by JSON pointer, list indexes numerically, so a report reads top to bottom.
function byPath(a: PolicyIssue, b: PolicyIssue): number {
  const x = a.path.split('/');
  const y = b.path.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p === q) continue;
    const numeric = /^[0-9]+$/;
    if (numeric.test(p) && numeric.test(q)) return Number(p) - Number(q);
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** The strings of a shape-checked list, with their indexes in it; `complete` when it has no bad item. */
function stringsOf(items: ShapedList): { texts: string[]; indexes: number[]; complete: boolean } {
  const texts: string[] = [];
  const indexes: number[] = [];
  items.forEach((item, index) => {
    if (item !== undefined) {
      texts.push(item);
      indexes.push(index);
    }
  });
  return { texts, indexes, complete: texts.length === items.length };
}

// Compiles each distinct allow-list once and remembers the outcome, so a list repeated in many
// extensions costs one parse (and, when invalid, reports its problems at every place it appears).
class ListCache {
  readonly #byText = new Map<string, ReturnType<typeof compileAllowList>>();
  /** Each compiled list with the paths where it appears, for findings. */
  readonly placements: { readonly list: IpAllowList; readonly path: string }[] = [];

  compile(
    items: ShapedList,
    path: string,
    report: (issues: readonly PolicyIssue[]) => void,
  ): IpAllowList | undefined {
    // Bad items were reported by the shape walk; compile the strings, keeping their indexes.
    const { texts, indexes, complete } = stringsOf(items);
    const key = JSON.stringify(texts);
    let outcome = this.#byText.get(key);
    if (outcome === undefined) {
      outcome = compileAllowList(texts);
      this.#byText.set(key, outcome);
    }
    if ('list' in outcome) {
      if (complete) this.placements.push({ list: outcome.list, path });
      return outcome.list;
    }
    report(
      outcome.rejected.map(({ index, ...problem }) => ({
        path: `${path}/${indexes[index] ?? index}`,
        ...problem,
      })),
    );
    return undefined;
  }
}

/**
 * Compiles one shape-checked selector list at `path`: the list, `undefined` when the level has none,
 * or `false` when it has problems (the selectors' are reported here, bad items by the shape walk).
 */
function selectorList(
  items: Shaped | undefined,
  path: string,
  report: (issues: readonly PolicyIssue[]) => void,
): SelectorList | undefined | false {
  if (!isList(items)) return items === undefined ? undefined : false;
  const { texts, indexes, complete } = stringsOf(items);
  const compiled = compileSelectors(texts);
  if ('list' in compiled) return complete ? compiled.list : false;
  report(
    compiled.problems.map(({ index, message }) => {
      const input = texts[index] ?? '';
      return { path: `${path}/${indexes[index] ?? index}`, code: 'invalid-selector', message, input };
    }),
  );
  return false;
}

function readLevel(
  fields: ShapedObject,
  path: string,
  scope: DecisionScope,
  lists: ListCache,
  report: (issues: readonly PolicyIssue[]) => void,
): LevelRules {
  const level: LevelRules = { path, scope, limits: readLevelLimits(fields, path, scope, report) };

  const homeCountry = fields.get('homeCountry');
  if (typeof homeCountry === 'string') {
    if (isRegionCode(homeCountry)) level.homeCountry = homeCountry;
    else {
      report([
        {
          path: `${path}/homeCountry`,
          code: 'invalid-country',
          message: `${quote(homeCountry)} ${hiddenCharacterProblem(homeCountry) ?? 'is not an ISO 3166-1 alpha-2 region code known to the phone metadata (such as "US" or "GB")'}`,
          input: homeCountry,
        },
      ]);
    }
  }

  const registration = fields.get('registration');
  if (isMap(registration)) {
    const restrict = registration.get('restrict');
    const allowFrom = registration.get('allowFrom');
    let list: IpAllowList | undefined;
    if (isList(allowFrom)) list = lists.compile(allowFrom, `${path}/registration/allowFrom`, report);
    if (typeof restrict === 'boolean') {
      const texts = isList(allowFrom) ? allowFrom.filter((item) => item !== undefined) : [];
      level.registration =
        list === undefined ? { restrict, allowFrom: texts } : { restrict, allowFrom: texts, list };
    }
  }

  const calling = fields.get('calling');
  if (isMap(calling)) {
    const allow = selectorList(calling.get('allow'), `${path}/calling/allow`, report);
    const deny = selectorList(calling.get('deny'), `${path}/calling/deny`, report);
    const emergency = calling.get('emergency') === 'apply-rules' ? 'apply-rules' : 'allow';
    if (allow !== false && deny !== false) {
      level.calling = {
        rules: callingRules(emergency, allow, deny),
        canonical: JSON.stringify([allow?.texts ?? null, deny?.texts ?? null, emergency]),
      };
    }
  }

  if (fields.has('maxRatePerMinute')) {
    const parsed = parseCap(fields.get('maxRatePerMinute'), `${path}/maxRatePerMinute`);
    report(parsed.issues);
    if (parsed.cap !== undefined) level.cap = parsed.cap;
  }

  const onUnknownRate = fields.get('onUnknownRate');
  if (onUnknownRate === 'deny' || onUnknownRate === 'allow') level.onUnknownRate = onUnknownRate;
  return level;
}

type PhoneContexts = ReadonlyMap<string, string>;

// The shape walk checked the lengths and that values are strings; here, that each key is a domain
// name (kept in canonical form, so two spellings of one domain are a conflict) and each value a region.
function readPhoneContexts(
  fields: ShapedObject,
  report: (issues: readonly PolicyIssue[]) => void,
): PhoneContexts | undefined {
  const contexts = new Map<string, string>();
  // Canonical domain → the key as written, to name the first spelling in a conflict.
  const written = new Map<string, string>();
  const issues: PolicyIssue[] = [];
  for (const [key, region] of fields) {
    const path = `/phoneContexts/${pointerSegment(key)}`;
    const domain = phoneContextDomain(key);
    const earlier = domain === undefined ? undefined : written.get(domain);
    if (domain === undefined) {
      issues.push({
        path,
        code: 'invalid-value',
        message: `${quote(key)} is not a domain name (RFC 3966: labels of letters, digits and inner hyphens, the last starting with a letter); a "+" global-number context needs no entry`,
        input: key,
      });
    } else if (earlier !== undefined) {
      issues.push({
        path,
        code: 'invalid-value',
        message: `${quote(key)} is the same domain as ${quote(earlier)}: domain names are case-insensitive`,
        input: key,
      });
    } else written.set(domain, key);
    if (typeof region !== 'string') continue;
    if (!isRegionCode(region)) {
      issues.push({
        path,
        code: 'invalid-country',
        message: `${quote(region)} is not an ISO 3166-1 alpha-2 region code known to the phone metadata (such as "US" or "GB")`,
        input: region,
      });
    } else if (domain !== undefined && earlier === undefined) contexts.set(domain, region);
  }
  report(issues);
  return issues.length === 0 ? contexts : undefined;
}

const levelName = (scope: DecisionScope) => (scope === 'account' ? "the account's" : "this extension's");

function freezeDecision(decision: RegistrationDecision): RegistrationDecision {
  return Object.freeze(decision);
}

// Builds each resolved part once per distinct source, so inherited parts are shared objects.
class Resolver {
  readonly #rates: RateTable | undefined;
  readonly #phoneContexts: PhoneContexts | undefined;
  readonly #emptyList = IpAllowList.from([]);
  readonly #decksByCap = new Map<string, DeckUnderCap>();
  readonly #limits: LimitResolver;
  readonly #accountParts: {
    registration: RegistrationRule;
    calling: CallingRule;
    cap: CapRule;
    unknownRate: UnknownRateRule;
    home: HomeRule;
  };
  #accountResolved: ResolvedRules | undefined;

  constructor(account: LevelRules, rates: RateTable | undefined, phoneContexts: PhoneContexts | undefined) {
    this.#rates = rates;
    this.#phoneContexts = phoneContexts;
    this.#limits = new LimitResolver(account.limits);
    this.#accountParts = {
      registration: this.#registration(account),
      calling: this.#calling(account),
      cap: this.#cap(account),
      unknownRate: this.#unknownRate(account),
      home: this.#home(account),
    };
  }

  resolve(level: LevelRules | undefined): ResolvedRules {
    const a = this.#accountParts;
    if (level === undefined) {
      this.#accountResolved ??= Object.freeze({
        ...a,
        limits: this.#limits.resolve(undefined),
        rates: this.#rates,
      });
      return this.#accountResolved;
    }
    return Object.freeze({
      registration: level.registration === undefined ? a.registration : this.#registration(level),
      calling: level.calling === undefined ? a.calling : this.#calling(level),
      cap: level.cap === undefined ? a.cap : this.#cap(level),
      unknownRate: level.onUnknownRate === undefined ? a.unknownRate : this.#unknownRate(level),
      home: level.homeCountry === undefined ? a.home : this.#home(level),
      limits: this.#limits.resolve(level.limits),
      rates: this.#rates,
    });
  }

  #registration(level: LevelRules): RegistrationRule {
    const scope = level.scope;
    const whose = levelName(scope);
    const invalidIp = freezeDecision({
      allowed: false,
      code: 'invalid-ip',
      scope,
      message: 'the source address is not a valid IPv4 or IPv6 address; registration denied',
    });
    const registration = level.registration;
    if (registration === undefined || !registration.restrict) {
      return Object.freeze({
        scope,
        list: this.#emptyList,
        allowedByEntry: [],
        miss: freezeDecision({
          allowed: true,
          code: 'unrestricted',
          scope,
          message: `registration is not restricted by ${whose} rules`,
        }),
        invalidIp,
      });
    }
    const list = registration.list ?? this.#emptyList;
    if (registration.allowFrom.length === 0) {
      return Object.freeze({
        scope,
        list: this.#emptyList,
        allowedByEntry: [],
        miss: freezeDecision({
          allowed: false,
          code: 'allow-list-empty',
          scope,
          message: `${whose} registration restriction is on with an empty allow-list, which denies every registration`,
        }),
        invalidIp,
      });
    }
    const count = registration.allowFrom.length;
    return Object.freeze({
      scope,
      list,
      allowedByEntry: Object.freeze(
        registration.allowFrom.map((entry) =>
          freezeDecision({
            allowed: true,
            code: 'ip-allowed',
            scope,
            matched: entry,
            message: `the source address is in ${whose} registration allow-list (entry ${quote(entry)})`,
          }),
        ),
      ),
      miss: freezeDecision({
        allowed: false,
        code: 'ip-not-allowed',
        scope,
        message: `the source address is not in ${whose} registration allow-list (${count} ${count === 1 ? 'entry' : 'entries'})`,
      }),
      invalidIp,
    });
  }

  #calling(level: LevelRules): CallingRule {
    const rules = level.calling?.rules;
    const scope = level.scope;
    return Object.freeze(
      rules === undefined || rules.emergency === 'allow'
        ? { scope, emergency: 'allow', rules }
        : { scope, emergency: 'apply-rules', rules },
    );
  }

  #cap(level: LevelRules): CapRule {
    const cap = level.cap ?? null;
    if (cap === null) return Object.freeze({ scope: level.scope, cap });
    const capText = cap.toString();
    let deck: DeckUnderCap | undefined;
    if (this.#rates !== undefined) {
      deck = this.#decksByCap.get(capText);
      if (deck === undefined) {
        deck = deckUnderCap(this.#rates, cap);
        this.#decksByCap.set(capText, deck);
      }
    }
    return Object.freeze({ scope: level.scope, cap, capText, deck });
  }

  #unknownRate(level: LevelRules): UnknownRateRule {
    return Object.freeze({
      scope: level.scope,
      allow: level.onUnknownRate === 'allow',
      explicit: level.onUnknownRate !== undefined,
    });
  }

  #home(level: LevelRules): HomeRule {
    const homeCountry = level.homeCountry;
    return Object.freeze({
      scope: level.scope,
      // One phoneContexts map for the whole policy, so cached classifications are shared.
      classifyOptions:
        homeCountry === undefined
          ? undefined
          : Object.freeze(
              this.#phoneContexts === undefined
                ? { homeCountry }
                : { homeCountry, phoneContexts: this.#phoneContexts },
            ),
    });
  }
}
