// The `sipguard` executable: the only place that touches the process and the file system.
import { ExitCode, processIo } from './io.js';
import { runCli } from './run.js';

// The failed write may be reported after runCli has returned; either order ends in the same code.
const io = processIo(() => {
  process.exitCode = ExitCode.outputClosed;
});
try {
  const code = await runCli(process.argv.slice(2), io);
  process.exitCode = io.outputClosed() ? ExitCode.outputClosed : code;
} catch (e) {
  // Input problems all map to documented exit codes; reaching here is a bug in sipguard.
  io.err(`sipguard: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 70;
}
