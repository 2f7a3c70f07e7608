// Spend is counted in whole micro-dollars (10^-6 USD), integers far below 2^53, so that counters add
// and compare exactly in JavaScript and in a Redis script alike. Rates arrive in 10^-8 USD units
// (src/rate); a call's cost is rounded up to the next micro-dollar, so a reservation never undercounts.

/** Micro-dollars per dollar. */
export const MICROS_PER_USD = 1_000_000;
// rate units (10^-8 USD) per minute × seconds / 60 s / 100 units per micro-dollar.
const UNIT_SECONDS_PER_MICRO = 6_000;
/**
 * The largest cost of one call, in micro-dollars ($1e9): far above any spend limit (at most $999,999.9999),
 * so a saturated cost is always over a limit, and sums of costs stay exact.
 */
export const MAX_CALL_COST_MICROS = 1e15;

/**
 * The cost in micro-dollars, rounded up, of `seconds` at a per-minute rate of `rateUnits` × 10^-8 USD.
 * Both arguments are non-negative integers. Exact up to {@link MAX_CALL_COST_MICROS}, saturated above.
 */
export function callCostMicros(rateUnits: number, seconds: number): number {
  // Split the rate so that each product stays below 2^53: quotient × seconds, and remainder × seconds < 6000 × 2^31.
  const quotient = Math.floor(rateUnits / UNIT_SECONDS_PER_MICRO);
  const remainder = rateUnits - quotient * UNIT_SECONDS_PER_MICRO;
  const cost = quotient * seconds + Math.ceil((remainder * seconds) / UNIT_SECONDS_PER_MICRO);
  return Math.min(cost, MAX_CALL_COST_MICROS);
}

/** Micro-dollars as canonical USD text: 1500000 → "1.5", 40 → "0.00004". */
export function formatMicros(micros: number): string {
  const whole = Math.floor(micros / MICROS_PER_USD);
  const fraction = String(micros - whole * MICROS_PER_USD)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}
