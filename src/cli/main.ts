// The `sipguard` executable: the only place that touches the process and the file system.
import { processIo } from './io.js';
import { runCli } from './run.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), processIo());
} catch (e) {
  // Input problems all map to documented exit codes; reaching here is a bug in sipguard.
  process.stderr.write(
    `sipguard: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exitCode = 70;
}
