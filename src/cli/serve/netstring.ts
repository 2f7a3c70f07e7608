// Netstrings (D. J. Bernstein's framing, as Kamailio's janssonrpcc and evapi speak it): a frame is
// `<length>:<bytes>,` with the length in decimal ASCII. Read strictly: digits without a leading
// zero (except the length 0 itself), then ":", exactly that many bytes, then ","; nothing between
// frames. A length above the bound is refused as soon as its digits say so, so a peer cannot make
// the reader hold more than one bounded frame.

/** Why a byte stream is not a sequence of netstrings. */
export type NetstringErrorCode = 'no-length' | 'leading-zero' | 'too-long' | 'no-colon' | 'no-comma';

/** A framing error: the stream cannot be read further (resynchronizing would be guessing). */
export interface NetstringError {
  readonly code: NetstringErrorCode;
  readonly message: string;
}

/** What one `push` gave: the frames it completed, and an error once the stream is broken. */
export interface NetstringRead {
  readonly frames: readonly Buffer[];
  readonly error?: NetstringError;
}

const COLON = 0x3a;
const COMMA = 0x2c;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** The netstring encoding of `payload`. */
export function encodeNetstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`, 'latin1'), body, Buffer.from(',', 'latin1')]);
}

/** Reads netstrings from a byte stream delivered in chunks of any size. */
export class NetstringReader {
  readonly #maxBytes: number;
  readonly #maxDigits: number;
  #pending: Buffer = Buffer.alloc(0);
  #broken: NetstringError | undefined;

  /** A reader refusing frames longer than `maxBytes` bytes. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#maxDigits = String(maxBytes).length;
  }

  /** Bytes received that are not yet a whole frame (0 between frames). */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /** Takes the next chunk; returns the frames it completes, or the error that broke the stream. */
  push(chunk: Buffer): NetstringRead {
    if (this.#broken !== undefined) return { frames: [], error: this.#broken };
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    let at = 0;
    while (at < data.length) {
      const frame = this.#frameAt(data, at);
      if (frame === undefined) break;
      if ('code' in frame) {
        this.#broken = frame;
        this.#pending = Buffer.alloc(0);
        return { frames, error: frame };
      }
      frames.push(data.subarray(frame.start, frame.end));
      at = frame.end + 1;
    }
    // The frames are views of `data`; a copy keeps the remainder from pinning the whole chunk.
    this.#pending = at >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
    return { frames };
  }

  /** The frame starting at `at`: its payload's bounds, an error, or `undefined` when incomplete. */
  #frameAt(data: Buffer, at: number): { start: number; end: number } | NetstringError | undefined {
    let length = 0;
    let i = at;
    for (; i < data.length && isDigit(data[i] ?? 0); i++) {
      const digits = i - at + 1;
      if (digits > 1 && data[at] === 0x30) return problem('leading-zero', 'the length has a leading zero');
      length = length * 10 + ((data[i] ?? 0) - 0x30);
      if (digits > this.#maxDigits || length > this.#maxBytes) {
        return problem('too-long', `a frame is longer than ${this.#maxBytes} bytes`);
      }
    }
    if (i === data.length) return undefined;
    if (i === at)
      return problem('no-length', `a frame must start with its length, not byte 0x${hex(data[i])}`);
    if (data[i] !== COLON)
      return problem('no-colon', `the length must end with ":", not byte 0x${hex(data[i])}`);
    const start = i + 1;
    const end = start + length;
    if (end >= data.length) return undefined;
    if (data[end] !== COMMA)
      return problem('no-comma', `a ${length}-byte frame must end with ",", not byte 0x${hex(data[end])}`);
    return { start, end };
  }
}

const hex = (b: number | undefined) => (b ?? 0).toString(16).padStart(2, '0');
const problem = (code: NetstringErrorCode, message: string): NetstringError => ({ code, message });
