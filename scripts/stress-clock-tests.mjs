// Builds the package, then runs the tests that read a clock or count collections many times beside CPU-bound processes, to
// show they do not flake on a loaded 2-core machine. Usage:
//   node scripts/stress-clock-tests.mjs [--runs=20] [--burners=2] [--out=stress.json]
// Prints one line per run and a summary: failures, and for each linear-time row the worst
// timeRatio/bound seen (1.0 would be a failure), and the GC runs the allocation guards needed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILES = [
  'test/adversarial/linear-time.test.ts',
  'test/ip/no-allocation.test.ts',
  'test/rate/no-allocation.test.ts',
  'test/cli/serve-http.test.ts',
  'test/cli/serve-watch.test.ts',
  'test/cli/serve-faults.test.ts',
];

function option(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}
const runs = Number(option('runs', '20'));
const burnerCount = Number(option('burners', '2'));
const out = option('out', '');
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(burnerCount) || burnerCount < 0) {
  console.error('stress-clock-tests: --runs must be a positive integer and --burners a non-negative one');
  process.exit(2);
}

// Each burner spins one core. They are ended by their PIDs, and each also ends itself once this
// process is gone (its parent changes), since a signal can end this one while it waits on a run.
const BURNER = `const parent = ${process.pid}; for (;;) { for (let i = 0; i < 1e7; i++); if (process.ppid !== parent) process.exit(); }`;
const burners = Array.from({ length: burnerCount }, () =>
  spawn(process.execPath, ['-e', BURNER], { stdio: 'ignore' }),
);
const endBurners = () => {
  for (const b of burners) if (b.exitCode === null) b.kill('SIGKILL');
};
process.on('exit', endBurners);
process.on('SIGINT', () => process.exit(130));

// serve-faults and serve-http start the built binary, as npm test does after its build.
const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
if (build.status !== 0) {
  console.error(`stress-clock-tests: npm run build failed:\n${build.stderr}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'sipguard-stress-'));
const worst = new Map(); // test name -> worst timeRatio / bound
const gcRuns = new Map(); // test name -> most runs needed
const results = [];
for (let run = 1; run <= runs; run++) {
  const report = join(dir, `run-${run}.json`);
  const started = Date.now();
  const child = spawnSync(
    'npx',
    ['vitest', 'run', ...FILES, '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const seconds = (Date.now() - started) / 1000;
  let failed = [];
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    for (const file of json.testResults) {
      for (const test of file.assertionResults) {
        const name = test.fullName;
        if (test.status !== 'passed') failed.push(name);
        const linear = test.meta?.linearTime;
        if (linear !== undefined) {
          // The control row must stay above its bound, so its least share is the one that matters.
          const share = linear.timeRatio / linear.bound;
          const control = /control/i.test(name);
          const seen = worst.get(name);
          if (seen === undefined || (control ? share < seen : share > seen)) worst.set(name, share);
        }
        for (const counts of test.meta?.minorGcRuns ?? []) {
          gcRuns.set(name, Math.max(gcRuns.get(name) ?? 0, counts.length));
        }
      }
    }
  } catch {
    failed = [`no report (exit ${child.status}): ${child.stderr.slice(-400)}`];
  }
  results.push({ run, seconds, failed });
  console.log(
    `run ${run}/${runs}: ${failed.length === 0 ? 'passed' : `FAILED ${failed.join('; ')}`} in ${seconds.toFixed(0)} s`,
  );
}
endBurners();
rmSync(dir, { recursive: true, force: true });

const failures = results.filter((r) => r.failed.length > 0).length;
console.log(`\n${runs} runs beside ${burnerCount} CPU-bound processes: ${failures} failed`);
const rows = [...worst].sort((a, b) => b[1] - a[1]);
console.log('worst timeRatio / bound per linear-time row (a failure is > 1; for the control, < 1):');
for (const [name, share] of rows) console.log(`  ${share.toFixed(3)}  ${name}`);
console.log('most GC-count runs an allocation guard needed (of 3):');
for (const [name, n] of gcRuns) console.log(`  ${n}  ${name}`);
if (out !== '') {
  writeFileSync(
    out,
    `${JSON.stringify({ runs, burners: burnerCount, results, worst: Object.fromEntries(worst), gcRuns: Object.fromEntries(gcRuns) }, null, 2)}\n`,
  );
}
process.exit(failures === 0 ? 0 : 1);
