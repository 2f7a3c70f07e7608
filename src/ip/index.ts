// The public API of `sipguard/ip`: the IP allow-list alone, without phone metadata.
// Scanner and parser internals (scanIPv4, parseIPv6, ...) are deliberately not exported.

export type {
  IpErrorCode,
  SipguardErrorCode,
  SipguardIssue,
  SipguardIssueCode,
  SipguardIssueCodeOf,
} from '../errors.js';
export { SipguardError } from '../errors.js';
export type { IpRange } from './allow-list.js';
export { IpAllowList, PROBE_INVALID, PROBE_NOT_LISTED } from './allow-list.js';
export type { IpEntry, IpEntryKind, IpEntryOptions, IpFamily } from './entry.js';
export { MAX_ENTRY_LENGTH, parseIpEntry } from './entry.js';
export type { IpFinding, IpFindingCode, IpFindingSeverity } from './findings.js';
