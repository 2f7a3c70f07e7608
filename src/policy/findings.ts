import type { IpFinding } from './deps.js';

/** Codes of policy lint findings (see docs/policy.md); IP-entry findings keep the code src/ip gives them. */
export type PolicyFindingCode =
  | 'registration-denies-all'
  | 'allow-list-inactive'
  | 'override-identical'
  | 'cap-without-rate-table'
  | 'home-country-missing'
  | IpFinding['code'];

/**
 * A lint result: the policy is valid and compiles, but something in it deserves a look.
 * `path` is a JSON pointer into the document.
 */
export interface PolicyFinding {
  readonly path: string;
  readonly code: PolicyFindingCode;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}
