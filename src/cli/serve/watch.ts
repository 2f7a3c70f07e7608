// Watching the policy and deck files of `sipguard serve` for changes.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Calls `onChange` (debounced) when any of `files` is written, created, or replaced by a rename.
 * Watches the folders, not the files: an editor that saves by renaming a new file over the old one
 * leaves a file watcher on the old, deleted inode.
 */
export function watchFiles(
  files: readonly string[],
  debounceMs: number,
  onChange: () => void,
  onError: (error: Error) => void,
): { close: () => void } {
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const full = resolve(file);
    const names = byDir.get(dirname(full)) ?? new Set<string>();
    names.add(basename(full));
    byDir.set(dirname(full), names);
  }
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      // Some platforms omit the name; then any event in the folder may be ours.
      if (name === null || names.has(name.toString())) fire();
    });
    watcher.on('error', onError);
    watchers.push(watcher);
  }
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
