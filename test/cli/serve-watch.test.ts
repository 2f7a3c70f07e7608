// D4 (issue 15): changes are seen through symbolic links: a ConfigMap-style `..data` swap, an edit in
// the folder a link points into, and (by the periodic look) what fs.watch cannot see.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFiles } from '../../src/cli/serve/watch.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipguard-watch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (check: () => boolean, ms = 5_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
};

/** Watches `file`, counting changes; the first look has been taken when it resolves. */
async function counting(file: string, pollMs = 60_000) {
  const state = { calls: 0, errors: [] as Error[] };
  const watcher = watchFiles([file], {
    // Long enough that two back-to-back writes fall in one burst even on a busy machine.
    debounceMs: 300,
    pollMs,
    onChange: () => {
      state.calls += 1;
    },
    onError: (e) => state.errors.push(e),
  });
  await sleep(200);
  return { state, close: watcher.close };
}

describe('watchFiles', () => {
  it('fires once per burst of writes, on rename-replace too, and not for other files', async () => {
    const file = join(dir, 'policy.json');
    await writeFile(file, 'a');
    const { state, close } = await counting(file);
    try {
      await writeFile(join(dir, 'other.json'), '{}');
      await sleep(600);
      expect(state.calls).toBe(0);
      await writeFile(file, 'bb');
      await writeFile(file, 'ccc');
      await waitFor(() => state.calls >= 1);
      await sleep(600);
      expect(state.calls).toBe(1);
      // An editor saving by rename: a new file moved over the old one.
      await writeFile(join(dir, '.policy.json.swp'), 'dddd');
      await rename(join(dir, '.policy.json.swp'), file);
      await waitFor(() => state.calls >= 2);
    } finally {
      close();
    }
  });

  it('sees a Kubernetes ConfigMap update: a new ..data link renamed over the old one', async () => {
    // The layout kubelet writes: policy.json -> ..data/policy.json, ..data -> ..<timestamp>/
    await mkdir(join(dir, '..2026_01_01_a'));
    await writeFile(join(dir, '..2026_01_01_a', 'policy.json'), 'old');
    await symlink('..2026_01_01_a', join(dir, '..data'));
    await symlink('..data/policy.json', join(dir, 'policy.json'));
    const { state, close } = await counting(join(dir, 'policy.json'));
    try {
      await mkdir(join(dir, '..2026_01_01_b'));
      await writeFile(join(dir, '..2026_01_01_b', 'policy.json'), 'new');
      await symlink('..2026_01_01_b', join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
      await rm(join(dir, '..2026_01_01_a'), { recursive: true });
      await waitFor(() => state.calls >= 1);
      // And the next update, through the folder watched since the first swap.
      await writeFile(join(dir, '..2026_01_01_b', 'policy.json'), 'newer');
      await waitFor(() => state.calls >= 2);
    } finally {
      close();
    }
  });

  it('sees an edit of the file a link points to in another folder', async () => {
    await mkdir(join(dir, 'etc'));
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'policy.json'), 'a');
    await symlink(join(dir, 'real', 'policy.json'), join(dir, 'etc', 'policy.json'));
    const { state, close } = await counting(join(dir, 'etc', 'policy.json'));
    try {
      await writeFile(join(dir, 'real', 'policy.json'), 'bb');
      await waitFor(() => state.calls >= 1);
      // Re-pointing the link at another file is a change too.
      await writeFile(join(dir, 'real', 'other.json'), 'ccc');
      await rm(join(dir, 'etc', 'policy.json'));
      await symlink(join(dir, 'real', 'other.json'), join(dir, 'etc', 'policy.json'));
      await waitFor(() => state.calls >= 2);
    } finally {
      close();
    }
  });

  it('the periodic look sees a folder removed and made again, which no folder watch can', async () => {
    const folder = join(dir, 'conf');
    await mkdir(folder);
    await writeFile(join(folder, 'policy.json'), 'a');
    const { state, close } = await counting(join(folder, 'policy.json'), 250);
    try {
      await rm(folder, { recursive: true });
      await mkdir(folder);
      await writeFile(join(folder, 'policy.json'), 'bb');
      await waitFor(() => state.calls >= 1);
      // Watched again: the next write is seen too.
      await writeFile(join(folder, 'policy.json'), 'ccc');
      await waitFor(() => state.calls >= 2);
    } finally {
      close();
    }
  });
});
