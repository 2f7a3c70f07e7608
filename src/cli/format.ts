import type { Decision, IpFinding, PolicyFinding } from '../index.js';
import type { FileProblem } from './files.js';

/** ANSI styling that collapses to plain text when colour is off. */
export interface Paint {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

/** Styling for a terminal, or none. */
export function paint(color: boolean): Paint {
  if (!color) {
    const plain = (s: string) => s;
    return { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };
  }
  return {
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/** One line per problem: file, place, code, message. */
export function formatProblems(problems: readonly FileProblem[], p: Paint): string[] {
  return problems.map(
    (problem) =>
      `  ${p.red('error')} ${problem.file}${problem.path ? ` ${p.bold(problem.path)}` : ''} ${p.dim(problem.code)}: ${problem.message}`,
  );
}

function severityOf(f: PolicyFinding | IpFinding, p: Paint): string {
  return f.severity === 'warning' ? p.yellow(f.severity) : p.dim(f.severity);
}

/** One line per finding, in the policy's order. */
export function formatFindings(findings: readonly PolicyFinding[], p: Paint): string[] {
  return findings.map(
    (f) => `  ${severityOf(f, p)} ${p.bold(f.path || '(root)')} ${p.dim(f.code)}: ${f.message}`,
  );
}

/** One line per finding of an allow-list entry, under the entry (`normalize`). */
export function formatEntryFindings(findings: readonly IpFinding[], p: Paint): string[] {
  return findings.map((f) => `  ${severityOf(f, p)} ${p.dim(f.code)}: ${f.message}`);
}

/** A decision as a verdict line and indented details: code, level, matched rule, destination, rate. */
export function formatDecision(decision: Decision, p: Paint): string[] {
  const verdict = decision.allowed ? p.green(p.bold('ALLOW')) : p.red(p.bold('DENY'));
  const lines = [
    `${verdict} ${decision.code} ${p.dim(`(decided at ${decision.scope} level)`)}`,
    `  reason: ${decision.message}`,
  ];
  // Each field is read only from the decisions that can carry it.
  if ('matched' in decision && decision.matched !== undefined) {
    lines.push(`  matched rule: ${decision.matched}`);
  }
  if ('destination' in decision && decision.destination !== undefined) {
    const d = decision.destination;
    lines.push(`  destination: ${d.e164} (${d.country}, ${d.type})`);
  }
  if ('cap' in decision) {
    const rate = 'rate' in decision ? decision.rate : 'unknown';
    const prefix = 'ratePrefix' in decision ? decision.ratePrefix : undefined;
    const from = prefix === undefined ? '' : ` from deck prefix ${prefix}`;
    lines.push(`  rate: ${rate}${from}; cap: ${decision.cap}`);
  }
  return lines;
}
