// Watching the policy and deck files of `sipguard serve` for changes, through symbolic links too: a
// Kubernetes ConfigMap swaps a `..data` link, and an edit can land in the folder a link points into.
// Events only say "look again": what changed is decided by comparing each file's (device, inode,
// size, mtime) as the path resolves now, and a periodic look catches what fs.watch misses.
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** How often the files are looked at even when no event came. */
export const WATCH_POLL_MS = 1_000;

/** Most links followed from one path when finding the folders to watch (as the kernel's ELOOP). */
const MAX_LINKS = 40;

/** What identifies the file a path leads to now; a different value means it changed. */
async function signature(file: string): Promise<string> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (e) {
    return `error:${e instanceof Error && 'code' in e ? String(e.code) : String(e)}`;
  }
}

/** The folders holding `file`, each link on the way to it, and what it finally is. */
async function foldersOf(file: string): Promise<string[]> {
  const folders = new Set<string>();
  let path = resolve(file);
  for (let hop = 0; hop < MAX_LINKS; hop++) {
    folders.add(dirname(path));
    try {
      if (!(await lstat(path)).isSymbolicLink()) break;
      path = resolve(dirname(path), await readlink(path));
    } catch {
      break;
    }
  }
  try {
    folders.add(dirname(await realpath(file)));
  } catch {
    // Missing for now: the folders above are watched, and the poll looks again.
  }
  return [...folders];
}

/** Options of {@link watchFiles}. */
export interface WatchOptions {
  /** Quiet time after the last event before looking: editors write in several steps. */
  readonly debounceMs: number;
  readonly pollMs?: number | undefined;
  readonly onChange: () => void;
  readonly onError: (error: Error) => void;
}

/**
 * Calls `onChange` when any of `files` now leads to different content: written, replaced by a rename,
 * or re-pointed by a link anywhere on its way. Watches the folders, not the files: an editor that
 * saves by renaming leaves a file watcher on the old, deleted inode.
 */
export function watchFiles(
  files: readonly string[],
  options: WatchOptions,
): { close: () => void; ready: Promise<void> } {
  const watchers = new Map<string, FSWatcher>();
  const last = new Map<string, string>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> | undefined;

  const soon = () => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void look(true);
    }, options.debounceMs);
  };

  function rewatch(folders: ReadonlySet<string>): void {
    for (const [folder, watcher] of watchers) {
      if (!folders.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, soon);
        watcher.on('error', (e) => {
          watcher.close();
          watchers.delete(folder);
          options.onError(e);
        });
        watchers.set(folder, watcher);
      } catch (e) {
        options.onError(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  let again = false;
  /** Looks at every file and watches their folders; reports a change unless this is the first look. */
  function look(report: boolean): Promise<void> {
    if (looking !== undefined) {
      // A change may have come after the look under way read its file: look once more after it.
      again = true;
      return looking;
    }
    looking = (async () => {
      const folders = new Set<string>();
      let changed = false;
      for (const file of files) {
        for (const folder of await foldersOf(file)) folders.add(folder);
        const now = await signature(file);
        if (last.has(file) && last.get(file) !== now) changed = true;
        last.set(file, now);
      }
      if (closed) return;
      rewatch(folders);
      if (changed && report) options.onChange();
    })().finally(() => {
      looking = undefined;
      if (again) {
        again = false;
        void look(true);
      }
    });
    return looking;
  }

  // The periodic look only compares; a difference waits out the quiet time like an event (but does
  // not restart a wait under way, or a poll faster than the quiet time would never let it end).
  async function poll(): Promise<void> {
    for (const file of files) {
      if (last.has(file) && last.get(file) !== (await signature(file))) {
        if (timer === undefined) soon();
        return;
      }
    }
  }

  const ready = look(false);
  const poller = setInterval(() => void poll(), options.pollMs ?? WATCH_POLL_MS);
  poller.unref();
  return {
    /** Resolves once the first look has been taken: changes from then on are seen. */
    ready,
    close() {
      closed = true;
      clearInterval(poller);
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
