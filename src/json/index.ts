// The JSON area's surface: strict reading of JSON text. Re-exported one by one from src/index.ts;
// checkJsonText, the scanner's own problem list, stays internal.
export { MAX_JSON_DEPTH } from './check-json.js';
export { parseJsonText, type SafeParseJsonTextResult, safeParseJsonText } from './parse.js';
