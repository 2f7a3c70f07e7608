// The rules of one level as written (LevelRules, read from the document), and the compiled, frozen
// rule set of one extension (or of the account, for unlisted extensions) resolved from them. Each
// resolved part remembers the level it came from; parts inherited from the account are shared objects.
import type { DecisionScope, RegistrationDecision } from './decision.js';
import type {
  CallingHours,
  CallingRules,
  ClassifyDialedOptions,
  DeckUnderCap,
  IpAllowList,
  LimitFields,
  LimitRules,
  Rate,
  RateTable,
} from './deps.js';

/** The registration rule in force, with every decision it can return built in advance. */
export interface RegistrationRule {
  readonly scope: DecisionScope;
  /** Probed for every request: the active list, or an empty list that only validates the address. */
  readonly list: IpAllowList;
  /** `ip-allowed` decision for each entry index of `list`. */
  readonly allowedByEntry: readonly RegistrationDecision[];
  /** Returned for a valid address not in `list`: `unrestricted`, `ip-not-allowed` or `allow-list-empty`. */
  readonly miss: RegistrationDecision;
  readonly invalidIp: RegistrationDecision;
}

/**
 * The calling-area rule in force. `emergency: "allow"` lets emergency numbers skip the area and rate
 * checks (also when no `calling` applies, then `rules` is undefined); `"apply-rules"` checks them
 * against `rules`, which is then always set.
 */
export type CallingRule =
  | { readonly scope: DecisionScope; readonly emergency: 'allow'; readonly rules: CallingRules | undefined }
  | { readonly scope: DecisionScope; readonly emergency: 'apply-rules'; readonly rules: CallingRules };

/** The rate cap in force, or `cap: null` when there is none. */
export type CapRule =
  | { readonly scope: DecisionScope; readonly cap: null }
  | {
      readonly scope: DecisionScope;
      readonly cap: Rate;
      /** Canonical text of `cap`, for decisions. */
      readonly capText: string;
      /** The policy's rate deck with each entry's verdict against `cap`; undefined without a deck. */
      readonly deck: DeckUnderCap | undefined;
    };

/** The unknown-rate behaviour in force. */
export interface UnknownRateRule {
  readonly scope: DecisionScope;
  readonly allow: boolean;
  /** Whether some level set `onUnknownRate`; if not, a `rate-unknown` decision names the cap's level. */
  readonly explicit: boolean;
}

/** The home country in force, with the classifier options built once. */
export interface HomeRule {
  readonly scope: DecisionScope;
  /** Options for classifyDialed, or undefined when no level sets `homeCountry`. */
  readonly classifyOptions: ClassifyDialedOptions | undefined;
}

/** Everything one request needs, resolved once per extension at compile time. */
export interface ResolvedRules {
  readonly registration: RegistrationRule;
  readonly calling: CallingRule;
  readonly cap: CapRule;
  readonly unknownRate: UnknownRateRule;
  readonly home: HomeRule;
  /** The usage limits, calling hours and spend day (the stateful step, `startCall`). */
  readonly limits: LimitRules;
  /** The policy's rate deck, to price a call that no cap priced when a spend limit needs its rate. */
  readonly rates: RateTable | undefined;
}

/** The rule fields of one level as written, each undefined when the level omits it. */
export interface LevelRules {
  readonly path: string;
  readonly scope: DecisionScope;
  homeCountry?: string;
  registration?: {
    readonly restrict: boolean;
    readonly allowFrom: readonly string[];
    readonly list?: IpAllowList;
  };
  calling?: { readonly rules: CallingRules; readonly canonical: string };
  cap?: Rate | null;
  onUnknownRate?: 'deny' | 'allow';
  /** The usage-limit fields (compile-limits.ts). */
  readonly limits: LevelLimits;
}

/** The usage-limit fields of one level as written, each undefined when the level omits it. */
export interface LevelLimits {
  readonly path: string;
  readonly scope: DecisionScope;
  extensionLimits?: LimitFields;
  maxCallSeconds?: number;
  /** `null`: the level lifts calling hours. */
  callingHours?: { readonly hours: CallingHours; readonly timeZone: string | undefined } | null;
  /** Top level only. */
  timeZone?: string;
  /** Top level only. */
  accountLimits?: LimitFields;
}
