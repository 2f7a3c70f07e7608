// A real redis-server (Debian's) for the tests and the benchmark: started on a free loopback port with
// nothing persisted, stopped by its PID. Never touches a Redis that this process did not start.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** The redis-server binary: REDIS_SERVER, or Debian's. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** Why redis-server cannot run here, or undefined when it can. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${REDIS_SERVER} does not run (apt-get install -y redis-server)`;
}

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** One redis-server started by {@link startRedisServer}. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGKILL when it does not exit within 5 s) and waits for its exit. */
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1 (on `port`, or a free one) and waits until it answers PING. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(chosen),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
      // DEBUG SLEEP from loopback only, for the command-timeout test.
      '--enable-debug-command',
      'local',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${REDIS_SERVER} did not start`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  child.once('exit', () => {
    alive = false;
  });
  const deadline = Date.now() + 10_000;
  while (!(await ping(chosen))) {
    if (!alive) throw new Error(`redis-server exited before answering on port ${chosen}`);
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${chosen} within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    pid,
    async stop() {
      if (!alive) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (alive) process.kill(pid, 'SIGKILL');
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
