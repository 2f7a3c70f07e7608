// A slow, independent model of the usage ledger's documented semantics (docs/limits.md): it keeps
// the facts of every call (begin, answer, end) and computes each counter from them by its definition
// whenever one is needed: no incremental counters, no rolling windows, no generations. BigInt money.
// It assumes what the differential tests generate: events arrive in non-decreasing time, within
// EVENT_RETENTION_MS of the first (so nothing is forgotten). It shares no code with src/limits.

export type Level = 'account' | 'extension';
export const LIMITS = [
  'concurrentCalls',
  'callsPerMinute',
  'callsPerHour',
  'callsToSameNumberPerHour',
  'spendPerDay',
] as const;
export type Limit = (typeof LIMITS)[number];
export type Bounds = Partial<Record<Limit, number>>;

export interface ModelBegin {
  account: string;
  callId: string;
  extension: string;
  destination: string;
  at: number;
  day: number;
  dayEndsAt: number;
  rateUnits: number;
  maxCallSeconds: number;
  accountBounds: Bounds;
  extensionBounds: Bounds;
}

interface Facts {
  begin?: ModelBegin;
  /** Whether the begin was counted (reserved, or recorded after an earlier end). */
  counted: boolean;
  answeredAt?: number;
  billedSeconds?: number;
  /** Whether the call was released at its maximum duration before any end came. */
  released: boolean;
}

/** Cost in micro-dollars, rounded up: rate units (1e-8 USD/min) × seconds / 6000. */
export function modelCost(rateUnits: number, seconds: number): bigint {
  const product = BigInt(rateUnits) * BigInt(seconds);
  return (product + 5999n) / 6000n;
}

const windowStart = (at: number, size: number): number => Math.floor(at / size) * size;

export class ModelLedger {
  readonly calls = new Map<string, Facts>();
  now = 0;

  #facts(account: string, callId: string): Facts {
    const key = JSON.stringify([account, callId]);
    let facts = this.calls.get(key);
    if (facts === undefined) {
      facts = { counted: false, released: false };
      this.calls.set(key, facts);
    }
    return facts;
  }

  #counted(account: string): Facts[] {
    return [...this.calls.entries()]
      .filter(([key, f]) => f.counted && (JSON.parse(key) as string[])[0] === account)
      .map(([, f]) => f);
  }

  #releaseAt(f: Facts): number {
    const b = f.begin as ModelBegin;
    return b.at + b.maxCallSeconds * 1000;
  }

  // A call leaves the concurrency count when its end arrives or when time passes its release.
  #advance(at: number): void {
    this.now = Math.max(this.now, at);
    for (const f of this.calls.values()) {
      if (f.counted && f.billedSeconds === undefined && !f.released && this.now >= this.#releaseAt(f)) {
        f.released = true;
      }
    }
  }

  #inLevel(f: Facts, level: Level, extension: string): boolean {
    return level === 'account' || f.begin?.extension === extension;
  }

  /** A counter by its definition, for `level` as seen by a call from `extension`. */
  counter(
    account: string,
    level: Level,
    extension: string,
    limit: Limit,
    at: number,
    day: number,
    destination: string,
  ): bigint {
    const mine = this.#counted(account).filter((f) => this.#inLevel(f, level, extension));
    switch (limit) {
      case 'concurrentCalls':
        return BigInt(mine.filter((f) => f.billedSeconds === undefined && !f.released).length);
      case 'callsPerMinute':
        return BigInt(
          mine.filter((f) => Math.floor((f.begin as ModelBegin).at / 60_000) === Math.floor(at / 60_000))
            .length,
        );
      case 'callsPerHour':
        return BigInt(
          mine.filter(
            (f) => Math.floor((f.begin as ModelBegin).at / 3_600_000) === Math.floor(at / 3_600_000),
          ).length,
        );
      case 'callsToSameNumberPerHour':
        return BigInt(
          mine.filter((f) => {
            const b = f.begin as ModelBegin;
            const counted = (level === 'account' ? b.accountBounds : b.extensionBounds)
              .callsToSameNumberPerHour;
            return (
              counted !== undefined &&
              b.destination === destination &&
              Math.floor(b.at / 3_600_000) === Math.floor(at / 3_600_000)
            );
          }).length,
        );
      case 'spendPerDay':
        return mine
          .filter((f) => (f.begin as ModelBegin).day === day)
          .reduce((sum, f) => {
            const b = f.begin as ModelBegin;
            return sum + modelCost(b.rateUnits, f.billedSeconds ?? b.maxCallSeconds);
          }, 0n);
    }
  }

  begin(call: ModelBegin): Record<string, unknown> {
    this.#advance(call.at);
    const f = this.#facts(call.account, call.callId);
    if (f.counted) {
      if (f.billedSeconds !== undefined || f.released) return { status: 'ended' };
      const b = f.begin as ModelBegin;
      if (b.extension !== call.extension || b.destination !== call.destination) return { status: 'conflict' };
      return { status: 'duplicate', reservedMicros: Number(modelCost(b.rateUnits, b.maxCallSeconds)) };
    }
    if (f.billedSeconds === undefined) {
      const reserve = modelCost(call.rateUnits, call.maxCallSeconds);
      for (const limit of LIMITS) {
        for (const level of ['extension', 'account'] as const) {
          const bound = (level === 'account' ? call.accountBounds : call.extensionBounds)[limit];
          if (bound === undefined) continue;
          const counter = this.counter(
            call.account,
            level,
            call.extension,
            limit,
            call.at,
            call.day,
            call.destination,
          );
          const over = limit === 'spendPerDay' ? counter + reserve > BigInt(bound) : counter >= BigInt(bound);
          if (over) {
            return limit === 'spendPerDay'
              ? { status: 'limited', limit, level, counter: Number(counter), bound, reserve: Number(reserve) }
              : limit === 'concurrentCalls'
                ? { status: 'limited', limit, level, counter: Number(counter), bound }
                : {
                    status: 'limited',
                    limit,
                    level,
                    counter: Number(counter),
                    bound,
                    // Begins come in time order here: the counter's window is the event's.
                    windowStartsAt: windowStart(call.at, limit === 'callsPerMinute' ? 60_000 : 3_600_000),
                  };
          }
        }
      }
    }
    f.begin = call;
    f.counted = true;
    if (f.billedSeconds !== undefined) return { status: 'ended' };
    return { status: 'reserved', reservedMicros: Number(modelCost(call.rateUnits, call.maxCallSeconds)) };
  }

  answer(account: string, callId: string, at: number): string {
    this.#advance(at);
    const f = this.#facts(account, callId);
    if (f.answeredAt !== undefined || f.released || f.billedSeconds !== undefined) return 'ignored';
    f.answeredAt = at;
    return f.counted ? 'answered' : 'pending';
  }

  end(account: string, callId: string, at: number, billedSeconds: number): string {
    this.#advance(at);
    const f = this.#facts(account, callId);
    if (f.billedSeconds !== undefined) return 'ignored';
    f.billedSeconds = billedSeconds;
    return f.counted ? 'settled' : 'pending';
  }

  usage(account: string, extension: string, at: number, day: number, destination: string) {
    this.#advance(at);
    const level = (l: Level) => ({
      concurrentCalls: Number(this.counter(account, l, extension, 'concurrentCalls', at, day, destination)),
      callsThisMinute: Number(this.counter(account, l, extension, 'callsPerMinute', at, day, destination)),
      callsThisHour: Number(this.counter(account, l, extension, 'callsPerHour', at, day, destination)),
      callsToNumberThisHour: Number(
        this.counter(account, l, extension, 'callsToSameNumberPerHour', at, day, destination),
      ),
      spentTodayMicros: Number(this.counter(account, l, extension, 'spendPerDay', at, day, destination)),
    });
    return { account: level('account'), extension: level('extension') };
  }
}
