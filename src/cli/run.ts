import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import {
  IpAllowList,
  parseIpEntry,
  type RateDeckCsvOptions,
  runCases,
  runSequences,
  SipguardError,
} from '../index.js';
import { docsPage, quote, suggestion } from '../text.js';
import { readDeckOptions } from './deck-options.js';
import { FileError, readJsonFile } from './files.js';
import {
  formatDecision,
  formatEntryFindings,
  formatFindings,
  formatProblems,
  type Paint,
  paint,
} from './format.js';
import { type CliIo, ExitCode, STDIN } from './io.js';
import { kamailioEmergencyInclude, writeFileAtomically } from './kamailio-emergency.js';
import { loadCases, loadPolicy, problemsOf } from './load.js';
import { readRegistrations } from './serve/drop-body.js';
import { DEFAULT_PORT, parseByteCount, parsePort, parseRegistrar, runServe } from './serve/run-serve.js';
import { parseLedger } from './serve/service-ledger.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly help: string;
  readonly options: OptionSpec;
  readonly run: (ctx: Context) => Promise<ExitCode>;
}

interface Context {
  readonly io: CliIo;
  readonly p: Paint;
  readonly json: boolean;
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

class UsageError extends Error {}

const COMMON: OptionSpec = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

const str = (ctx: Context, name: string): string | undefined => {
  const value = ctx.values[name];
  return typeof value === 'string' ? value : undefined;
};

const printJson = (io: CliIo, value: unknown) => io.out(JSON.stringify(value, null, 2));

/** How --rates is read: `--rates-columns` and `--rates-delimiter` (docs/cli.md). */
const RATES_OPTIONS: OptionSpec = {
  rates: { type: 'string' },
  'rates-columns': { type: 'string' },
  'rates-delimiter': { type: 'string' },
};

function deckOptions(ctx: Context): RateDeckCsvOptions {
  const read = readDeckOptions(str(ctx, 'rates-columns'), str(ctx, 'rates-delimiter'));
  if ('error' in read) throw new UsageError(read.error);
  if (str(ctx, 'rates') === undefined && Object.keys(read.options).length > 0) {
    throw new UsageError('--rates-columns and --rates-delimiter apply to a deck given with --rates');
  }
  return read.options;
}

/** Standard input can be read once: at most one file argument may be `-`. */
function readOnceFromStdin(...files: readonly (string | undefined)[]): void {
  if (files.filter((file) => file === STDIN).length > 1) {
    throw new UsageError(`only one file argument can be "${STDIN}" (standard input)`);
  }
}

function positional(ctx: Context, count: number, what: string): string[] {
  if (ctx.positionals.length !== count) {
    throw new UsageError(`expected ${what}, got ${ctx.positionals.length} argument(s)`);
  }
  return [...ctx.positionals];
}

const check: Command = {
  usage:
    'sipguard check <policy.json> [--strict] [--rates deck.csv [--rates-columns role=column,...] [--rates-delimiter ;]] [--json]',
  summary: 'validate a policy and list its findings',
  help: 'Validates the policy (and the rate deck) and prints every problem with its JSON path, then the\nfindings. Exit 0 when valid, 3 when invalid or unreadable; with --strict, 5 when valid with a warning\n(info findings never fail).',
  options: { ...RATES_OPTIONS, strict: { type: 'boolean' } },
  async run(ctx) {
    const [file = ''] = positional(ctx, 1, 'one policy file');
    const rates = str(ctx, 'rates');
    readOnceFromStdin(file, rates);
    const deck = deckOptions(ctx);
    try {
      const policy = await loadPolicy(ctx.io, file, rates, deck);
      const strict = ctx.values.strict === true;
      // Under --strict every warning fails the check; info findings never do.
      const failedBy = strict ? policy.findings.filter((f) => f.severity === 'warning') : [];
      if (ctx.json) {
        printJson(ctx.io, {
          file,
          valid: true,
          problems: [],
          findings: policy.findings,
          ...(strict ? { strict, passed: failedBy.length === 0, failedBy } : {}),
        });
      } else {
        const n = policy.findings.length;
        ctx.io.out(
          `${failedBy.length > 0 ? ctx.p.red('✗') : ctx.p.green('✓')} ${file} is valid${n === 0 ? '' : `, ${n} finding${n === 1 ? '' : 's'}:`}`,
        );
        for (const line of formatFindings(policy.findings, ctx.p)) ctx.io.out(line);
        if (failedBy.length > 0) {
          const w = failedBy.length;
          ctx.io.out(`--strict: ${w} warning${w === 1 ? ' fails' : 's fail'} the check`);
        }
      }
      return failedBy.length > 0 ? ExitCode.warnings : ExitCode.ok;
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      if (ctx.json) printJson(ctx.io, { file, valid: false, problems: e.problems, findings: [] });
      else {
        const n = e.problems.length;
        ctx.io.out(`${ctx.p.red('✗')} ${file} is invalid: ${n} problem${n === 1 ? '' : 's'}`);
        for (const line of formatProblems(e.problems, ctx.p)) ctx.io.out(line);
      }
      return ExitCode.invalid;
    }
  },
};

const evaluate: Command = {
  usage:
    'sipguard eval <policy.json> --extension <id> (--source-ip <ip> | --dialed <number> [--rate <usd>] [--at <time>]) [--rates deck.csv [--rates-columns ...] [--rates-delimiter ;]] [--json]',
  summary: 'decide one registration or call and explain why',
  help: 'Prints the decision with its code, the level that decided (account or extension), the matched\nrule and, for calls, the destination and rate. A dated deck is read at --at (ISO 8601: 2026-07-01,\nmidnight UTC, or 2026-07-01T12:00:00Z), or now. Exit 0 allowed, 2 denied, 3 invalid policy.',
  options: {
    ...RATES_OPTIONS,
    extension: { type: 'string' },
    'source-ip': { type: 'string' },
    dialed: { type: 'string' },
    rate: { type: 'string' },
    at: { type: 'string' },
  },
  async run(ctx) {
    const [file = ''] = positional(ctx, 1, 'one policy file');
    readOnceFromStdin(file, str(ctx, 'rates'));
    const extension = str(ctx, 'extension');
    const sourceIp = str(ctx, 'source-ip');
    const dialed = str(ctx, 'dialed');
    const rate = str(ctx, 'rate');
    if (extension === undefined) throw new UsageError('--extension is required');
    if ((sourceIp === undefined) === (dialed === undefined)) {
      throw new UsageError('give exactly one of --source-ip (a registration) or --dialed (a call)');
    }
    if (rate !== undefined && dialed === undefined)
      throw new UsageError('--rate applies to calls only (with --dialed)');
    const atText = str(ctx, 'at');
    if (atText !== undefined && dialed === undefined)
      throw new UsageError('--at applies to calls only (with --dialed)');
    // The CLI reads the clock so the library need not; a bad --at is reported by the dated deck's decision.
    const at = atText ?? Date.now();
    const policy = await loadPolicy(ctx.io, file, str(ctx, 'rates'), deckOptions(ctx));
    const call = { extension, dialed: dialed ?? '', at };
    const decision =
      sourceIp !== undefined
        ? policy.checkRegistration({ extension, sourceIp })
        : policy.checkCall(rate === undefined ? call : { ...call, ratePerMinute: rate });
    if (ctx.json) printJson(ctx.io, decision);
    else for (const line of formatDecision(decision, ctx.p)) ctx.io.out(line);
    return decision.allowed ? ExitCode.ok : ExitCode.denied;
  },
};

const test: Command = {
  usage: 'sipguard test <cases.json> [--policy policy.json] [--json]',
  summary: 'run rule-set test cases against a policy',
  help: 'Runs every case and every sequence of calls of the cases file against its policy (paths relative to\nthe cases file) and prints each case and call (✓ or ✗), each failure with expected and actual decisions,\nthen "N passed, N failed". Exit 0 all passed, 1 any failed, 3 invalid policy or cases file.',
  options: { policy: { type: 'string' } },
  async run(ctx) {
    const [file = ''] = positional(ctx, 1, 'one cases file');
    readOnceFromStdin(file, str(ctx, 'policy'));
    const loaded = await loadCases(ctx.io, file, str(ctx, 'policy'));
    const policy = await loadPolicy(ctx.io, loaded.policyFile, loaded.ratesFile);
    const results = [
      ...runCases(policy, loaded.cases.cases),
      ...runSequences(policy, loaded.cases.sequences),
    ];
    const failed = results.filter((r) => !r.passed).length;
    const passed = results.length - failed;
    if (ctx.json) {
      printJson(ctx.io, { file, passed, failed, results });
    } else {
      for (const r of results) {
        if (r.outcome === 'malformed') {
          ctx.io.out(`${ctx.p.red('✗')} ${r.name}: malformed case, not run`);
          for (const issue of r.issues) ctx.io.out(`    ${issue.path} ${issue.code}: ${issue.message}`);
          continue;
        }
        if (r.passed) {
          ctx.io.out(
            `${ctx.p.green('✓')} ${r.name} ${ctx.p.dim(`(${r.actual.allowed ? 'allow' : 'deny'} ${r.actual.code})`)}`,
          );
          continue;
        }
        const expected = `${r.expected.allowed ? 'allow' : 'deny'}${r.expected.code === undefined ? '' : ` ${r.expected.code}`}`;
        ctx.io.out(`${ctx.p.red('✗')} ${r.name}`);
        ctx.io.out(`    expected: ${expected}`);
        ctx.io.out(
          `    actual:   ${r.actual.allowed ? 'allow' : 'deny'} ${r.actual.code} (${r.actual.scope} level): ${r.actual.message}`,
        );
      }
      ctx.io.out(`${passed} passed, ${failed} failed`);
    }
    return failed === 0 ? ExitCode.ok : ExitCode.failed;
  },
};

const drop: Command = {
  usage: 'sipguard drop <policy.json> <registrations.json> [--json]',
  summary: 'list held registrations the policy no longer allows',
  help: 'Reads a JSON list of current registrations ({ "extension", "sourceIp", ... }) and lists those the\npolicy does not allow: what an integration must unregister after a policy change. Exit 0, or 3 on\ninvalid input.',
  options: {},
  async run(ctx) {
    const [file = '', registrationsFile = ''] = positional(ctx, 2, 'a policy file and a registrations file');
    readOnceFromStdin(file, registrationsFile);
    const policy = await loadPolicy(ctx.io, file);
    const raw = await readJsonFile(ctx.io.readText, registrationsFile);
    const { registrations, problems } = readRegistrations(raw, registrationsFile);
    if (problems.length > 0) throw new FileError(problems);
    const toDrop = policy.registrationsToDrop(registrations);
    if (ctx.json) printJson(ctx.io, { total: registrations.length, drop: toDrop });
    else {
      for (const { registration, decision } of toDrop) {
        ctx.io.out(
          `${ctx.p.red('drop')} extension ${registration.extension} from ${registration.sourceIp}: ${decision.code} (${decision.scope} level): ${decision.message}`,
        );
      }
      ctx.io.out(`${toDrop.length} of ${registrations.length} registrations to drop`);
    }
    return ExitCode.ok;
  },
};

const normalize: Command = {
  usage: 'sipguard normalize <entry>... [--json]',
  summary: 'show allow-list entries normalized, with their findings and the merged list',
  help: 'Parses each allow-list entry (single IP, range, CIDR or subnet notation) and shows its range and the\nminimal CIDR list that covers exactly the same addresses, with the findings a policy check would give\n(host bits set, duplicates, contained or overlapping entries). Then the entries together as one list:\nthe minimal CIDRs of their union, adjacent and overlapping entries merged. Exit 0, or 3 if any entry\nis invalid (each invalid entry is explained, and no merged list is shown).',
  options: {},
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError('expected at least one allow-list entry');
    const entries = ctx.positionals.map((text) => {
      try {
        const entry = parseIpEntry(text);
        return { ...entry, cidrs: IpAllowList.from([text]).toCidrs() };
      } catch (e) {
        if (!(e instanceof SipguardError)) throw e;
        return { source: text, error: { code: e.code, message: e.message } };
      }
    });
    // As in a policy, one bad entry rejects the list: the union is shown only when every entry parsed.
    const list = entries.some((row) => 'error' in row) ? undefined : IpAllowList.from(ctx.positionals);
    const findings = list?.findings ?? [];
    if (ctx.json) {
      printJson(ctx.io, {
        entries: entries.map((row, index) =>
          'error' in row || list === undefined
            ? row
            : { ...row, findings: findings.filter((f) => f.index === index) },
        ),
        ...(list === undefined ? {} : { cidrs: list.toCidrs() }),
      });
      return list === undefined ? ExitCode.invalid : ExitCode.ok;
    }
    entries.forEach((row, index) => {
      if ('error' in row) {
        ctx.io.out(
          `${row.source}\n  ${ctx.p.red('error')} ${ctx.p.dim(row.error.code)}: ${row.error.message}`,
        );
        return;
      }
      ctx.io.out(
        `${row.source}\n  ${row.kind}, IPv${row.family}: ${row.first} – ${row.last}\n  CIDRs: ${row.cidrs.join(', ')}`,
      );
      for (const line of formatEntryFindings(
        findings.filter((f) => f.index === index),
        ctx.p,
      ))
        ctx.io.out(line);
    });
    if (list !== undefined && entries.length > 1) ctx.io.out(`merged: ${list.toCidrs().join(', ')}`);
    return list === undefined ? ExitCode.invalid : ExitCode.ok;
  },
};

const serve: Command = {
  usage:
    'sipguard serve <policy.json> [--rates deck.csv] [--domain <sip-domain>] [--registrar kamailio:<url>] [--host 127.0.0.1] [--port 8099] [--jsonrpc-port N] [--ledger memory|redis://host:port] [--log] [--max-file-bytes 16777216]',
  summary: 'answer registration and call decisions over HTTP for a PBX',
  help: `Serves GET /v1/registration, GET /v1/call, POST /v1/call/answer, POST /v1/call/end,\nPOST /v1/registrations/drop and GET /healthz on loopback by default. Reloads the policy when its files change and on SIGHUP; a policy that does not compile is\nnot applied. Policy and deck must be regular files of at most --max-file-bytes (16 MiB). --domain names\nthe account's SIP domain (queries for another are refused). With --registrar kamailio:<url>, every\napplied policy (and the start) removes the registrar's contacts it no longer allows. --jsonrpc-port\nalso answers JSON-RPC over netstrings (Kamailio's janssonrpcc) on --host. Usage limits count calls in\n--ledger: this process's memory (the default), or a Redis server shared by every replica (needs the\npackage @redis/client; limited calls are denied ledger-unavailable while it is out of reach). Writes JSON lines\non standard output (first: the bound URL); --log adds one per decision. GET /metrics for Prometheus.\nStops on SIGTERM/SIGINT with exit 0 within 1 s; exit 3 if the initial policy is invalid, 1 if it\ncannot listen.\nDocs: ${docsPage('integrations.md')}`,
  options: {
    rates: { type: 'string' },
    domain: { type: 'string' },
    registrar: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    log: { type: 'boolean' },
    'max-file-bytes': { type: 'string' },
    'jsonrpc-port': { type: 'string' },
    ledger: { type: 'string' },
  },
  async run(ctx) {
    const [file = ''] = positional(ctx, 1, 'one policy file');
    if (file === STDIN || str(ctx, 'rates') === STDIN) {
      throw new UsageError(`serve reloads its files when they change: give file names, not "${STDIN}"`);
    }
    const ledgerText = str(ctx, 'ledger');
    const ledger = ledgerText === undefined ? { kind: 'memory' as const } : parseLedger(ledgerText);
    if (ledger === undefined) {
      throw new UsageError(
        `--ledger must be memory or a redis:// (rediss://) URL with a host, not ${quote(ledgerText ?? '')}`,
      );
    }
    const portText = str(ctx, 'port');
    const port = portText === undefined ? DEFAULT_PORT : parsePort(portText);
    if (port === undefined)
      throw new UsageError(`--port must be an integer 0-65535, not ${quote(portText ?? '')}`);
    const host = str(ctx, 'host') ?? '127.0.0.1';
    if (host === '') throw new UsageError('--host must not be empty');
    const jsonrpcText = str(ctx, 'jsonrpc-port');
    const jsonrpcPort = jsonrpcText === undefined ? undefined : parsePort(jsonrpcText);
    if (jsonrpcPort === undefined && jsonrpcText !== undefined)
      throw new UsageError(`--jsonrpc-port must be an integer 0-65535, not ${quote(jsonrpcText)}`);
    const maxText = str(ctx, 'max-file-bytes');
    const maxFileBytes = maxText === undefined ? undefined : parseByteCount(maxText);
    if (maxFileBytes === undefined && maxText !== undefined)
      throw new UsageError(`--max-file-bytes must be a positive integer, not ${quote(maxText)}`);
    const domain = str(ctx, 'domain');
    if (domain === '') throw new UsageError('--domain must not be empty');
    const registrarText = str(ctx, 'registrar');
    const registrar = registrarText === undefined ? undefined : parseRegistrar(registrarText);
    if (registrarText !== undefined && registrar === undefined) {
      throw new UsageError(
        `--registrar must be kamailio:<http URL of its JSON-RPC, without credentials>, not ${quote(registrarText)}`,
      );
    }
    return runServe(
      {
        policyFile: file,
        ratesFile: str(ctx, 'rates'),
        domain,
        registrar,
        host,
        port,
        logDecisions: ctx.values.log === true,
        maxFileBytes,
        jsonrpcPort,
        ledger,
      },
      ctx.io,
    );
  },
};

const kamailioEmergency: Command = {
  usage: 'sipguard kamailio-emergency --region <XX> [--output file.cfg] [--json]',
  summary: 'write the Kamailio include listing the emergency numbers of a region',
  help: `Writes route[SIPGUARD_EMERGENCY] for examples/kamailio/kamailio.cfg from sipguard's own emergency table,\nto standard output or (whole, by rename) to --output. The edge lets these numbers reach the carrier\neven when sipguard cannot decide. Exit 0, 3 for an unknown region or one with no emergency numbers.\nDocs: ${docsPage('integrations.md')}`,
  options: { region: { type: 'string' }, output: { type: 'string' } },
  async run(ctx) {
    positional(ctx, 0, 'no arguments besides --region and --output');
    const region = str(ctx, 'region');
    if (region === undefined) throw new UsageError('--region is required, e.g. --region US');
    const output = str(ctx, 'output');
    if (output === '') throw new UsageError('--output must not be empty');
    const include = kamailioEmergencyInclude(region);
    if (!('text' in include)) {
      if (ctx.json) printJson(ctx.io, { error: include.code, message: include.message });
      else ctx.io.err(`sipguard kamailio-emergency: ${include.code}: ${include.message}`);
      return ExitCode.invalid;
    }
    if (output === undefined) {
      // The include itself is the output; --json wraps it for scripts.
      if (ctx.json) printJson(ctx.io, { region, text: include.text });
      else ctx.io.out(include.text.trimEnd());
      return ExitCode.ok;
    }
    await writeFileAtomically(output, include.text);
    if (ctx.json) printJson(ctx.io, { region, output });
    else ctx.io.out(`${ctx.p.green('✓')} wrote ${output} (emergency numbers of ${region})`);
    return ExitCode.ok;
  },
};

const COMMANDS: Readonly<Record<string, Command>> = {
  check,
  eval: evaluate,
  test,
  drop,
  normalize,
  serve,
  'kamailio-emergency': kamailioEmergency,
};

/** True when `--json` is among the options (before a `--` that ends them). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** A usage error in the shape of the other JSON errors: `error` and `problems`, plus the usage line. */
function printUsageError(io: CliIo, message: string, usage: string | undefined): void {
  printJson(io, {
    error: 'usage',
    problems: [{ file: '(command line)', path: '', code: 'usage', message }],
    ...(usage === undefined ? {} : { usage }),
  });
}

function mainHelp(): string {
  const lines = ['sipguard: check, explain and test VoIP account policies', '', 'Usage:'];
  for (const c of Object.values(COMMANDS)) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push(
    '',
    'Every command takes --json for machine-readable output and --help.',
    'A file argument "-" is standard input (one per command; not for serve).',
    'Exit codes: 0 ok/allowed, 1 test failures, 2 denied, 3 invalid or unreadable input, 4 usage error,',
    '5 warnings under check --strict.',
    `Docs: ${docsPage('cli.md')}`,
  );
  return lines.join('\n');
}

// parseArgs keeps the last of two values of one option; which one the user meant is unknown, so
// a value-taking option given twice is a usage error (a repeated flag means the same once or twice).
function repeatedValueProblem(tokens: ReturnType<typeof parseArgs>['tokens']): void {
  const seen = new Map<string, string>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    const first = seen.get(token.name);
    if (first !== undefined) {
      throw new UsageError(
        `option --${token.name} is given twice (${quote(first)} and ${quote(token.value)}); give it once`,
      );
    }
    seen.set(token.name, token.value);
  }
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. Usage and input problems
 * become documented exit codes; anything else is a bug and propagates.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const p = paint(io.color);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    io.out(command === undefined ? mainHelp() : `${command.usage}\n\n${command.help}`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(packageJson.version);
    return ExitCode.ok;
  }
  // Read before parsing, so that a command line that does not parse is still answered in JSON.
  const json = wantsJson(argv);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    const message = `unknown command ${quote(name)}${suggestion(name, Object.keys(COMMANDS))}`;
    if (json) printUsageError(io, message, undefined);
    else io.err(`sipguard: ${message}; run "sipguard --help"`);
    return ExitCode.usage;
  }
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: { ...COMMON, ...command.options },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    repeatedValueProblem(parsed.tokens);
    if (parsed.values.help === true) {
      io.out(`${command.usage}\n\n${command.help}`);
      return ExitCode.ok;
    }
    return await command.run({ io, p, json, positionals: parsed.positionals, values: parsed.values });
  } catch (e) {
    if (
      e instanceof UsageError ||
      (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      if (json) printUsageError(io, e.message, command.usage);
      else io.err(`sipguard ${name}: ${e.message}\nusage: ${command.usage}`);
      return ExitCode.usage;
    }
    if (e instanceof FileError) {
      if (json) printJson(io, { error: 'invalid-input', problems: e.problems });
      else for (const line of formatProblems(e.problems, p)) io.err(line);
      return ExitCode.invalid;
    }
    if (e instanceof SipguardError) {
      const problems = problemsOf('(input)', e);
      if (json) printJson(io, { error: e.code, problems });
      else for (const line of formatProblems(problems, p)) io.err(line);
      return ExitCode.invalid;
    }
    throw e;
  }
}
