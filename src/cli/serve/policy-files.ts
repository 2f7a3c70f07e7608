// Reading the policy and deck files of `sipguard serve`: regular files of bounded size only. A FIFO
// used to block every later reload (and SIGTERM), and a link to /dev/zero grew memory without end.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { FileError } from '../files.js';

/** Largest policy or deck file `sipguard serve` reads, unless `--max-file-bytes` says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

const problem = (file: string, code: string, message: string) =>
  new FileError([{ file, path: '', code, message }]);

function kindOf(stat: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function unreadable(file: string, e: unknown): FileError {
  const code = e instanceof Error && 'code' in e ? String(e.code) : '';
  const why =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ELOOP'
          ? 'too many levels of symbolic links'
          : `cannot read the file (${e instanceof Error ? e.message : String(e)})`;
  return problem(file, 'unreadable-file', why);
}

/**
 * The bytes of `file` (symbolic links followed), in a buffer of their own. Throws `FileError` when it
 * is missing or unreadable (`unreadable-file`), not a regular file (`not-a-regular-file`), or larger
 * than `maxBytes` (`file-too-large`), checked before reading and again while reading, since a file
 * may grow. Opened non-blocking, so a FIFO cannot stall the read.
 */
export async function readPolicyFile(file: string, maxBytes: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw unreadable(file, e);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw problem(file, 'not-a-regular-file', `is ${kindOf(stat)}, not a regular file`);
    }
    const tooBig = (size: string) =>
      problem(
        file,
        'file-too-large',
        `is ${size} bytes, more than the ${maxBytes}-byte bound (raise it with --max-file-bytes)`,
      );
    if (stat.size > maxBytes) throw tooBig(String(stat.size));
    // One byte more than the file, to see one that grew after the stat; grown up to one past the bound.
    let buffer = new Uint8Array(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooBig(`over ${maxBytes}`);
        const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1));
        grown.set(buffer);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw unreadable(file, e);
  } finally {
    await handle.close();
  }
}
