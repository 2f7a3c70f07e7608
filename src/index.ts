// The public API of `sipguard`. Everything exported here is documented in docs/;
// anything not listed is internal and may change without notice.

export type {
  IpErrorCode,
  PolicyErrorCode,
  RateErrorCode,
  SipguardErrorCode,
  SipguardIssue,
  SipguardIssueCode,
} from './errors.js';
export { SipguardError } from './errors.js';
