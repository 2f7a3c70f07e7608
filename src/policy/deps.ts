// The one place where src/policy imports from the ip, phone and rate modules, so the agreed
// interfaces are named once.
export { IpAllowList, type IpFinding, PROBE_INVALID, PROBE_NOT_LISTED } from '../ip/allow-list.js';
export type {
  CallingOutcome,
  CallingRules,
  CallingSelector,
  ClassifyDialedOptions,
  NumberType,
  RegionCode,
} from '../phone/index.js';
export {
  classifyDialed,
  compileCallingRules,
  evaluateCalling,
  isRegionCode,
  phoneContextDomain,
} from '../phone/index.js';
export { parseCap, type Rate, type RateTable, safeParseRate } from '../rate/index.js';
