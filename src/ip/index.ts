// The public API of `sipguard/ip`: the IP allow-list alone, without phone metadata.

export type { IpErrorCode, SipguardErrorCode, SipguardIssue, SipguardIssueCode } from '../errors.js';
export { SipguardError } from '../errors.js';
