// The phone area's surface for the rest of sipguard (src/policy). Not the public API: the public
// names are re-exported one by one from src/index.ts. clearDialedCache is deliberately left out.
export { classifyDialed } from './classify.js';
export { phoneContextDomain } from './dialed-text.js';
export { EMERGENCY_SOURCE, emergencyNumbersOf } from './emergency.js';
export { isRegionCode, NON_GEOGRAPHIC_REGION, type RegionCode, regionCodes } from './metadata.js';
export type {
  CallingCode,
  CallingDestination,
  CallingOutcome,
  CallingRules,
  CallingSelector,
  EmergencyMode,
  SelectorList,
  SelectorProblem,
} from './selectors.js';
export { callingRules, compileSelectors, evaluateCalling } from './selectors.js';
export type {
  ClassifyDialedOptions,
  DialedClassification,
  DialedEmergency,
  DialedFailure,
  DialedFailureCode,
  DialedNumber,
  NumberType,
} from './types.js';
export { NUMBER_TYPES } from './types.js';
