// Strict JSON text checking: a syntax error with its line and column, every duplicate key, a nesting
// bound. Text in, problems out (no I/O); parse.ts turns them into issues for the public API.
import {
  characterAt,
  hiddenCharacterAdvice,
  isHidden,
  nameCharacter,
  pointerSegment,
  quote,
} from '../text.js';

/** A problem found in JSON text, located by 1-based line and column. */
export interface JsonTextProblem {
  readonly kind: 'syntax' | 'duplicate-key' | 'too-deep';
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** JSON pointer of the object holding a duplicate key, or of the value where nesting got too deep. */
  readonly path: string;
}

/** Nesting deeper than this is refused: no real policy needs it, and it bounds the scanner's stack. */
export const MAX_JSON_DEPTH = 64;

/**
 * Checks JSON text (RFC 8259) without building values, and reports the first syntax error with its
 * line and column, or every duplicate key: `JSON.parse` silently keeps the last of two `"restrict"`
 * keys, which in a security policy hides a mistake. Runs in time linear in the text.
 */
export function checkJsonText(text: string): JsonTextProblem[] {
  const scanner = new JsonScanner(text);
  return scanner.run();
}

class SyntaxStop {
  constructor(
    readonly at: number,
    readonly message: string,
  ) {}
}

class JsonScanner {
  private pos = 0;
  private readonly duplicates: JsonTextProblem[] = [];

  constructor(private readonly text: string) {}

  run(): JsonTextProblem[] {
    try {
      this.skipSpace();
      this.value('', 0);
      this.skipSpace();
      if (this.pos < this.text.length) throw new SyntaxStop(this.pos, 'unexpected text after the JSON value');
      return this.duplicates;
    } catch (e) {
      if (!(e instanceof SyntaxStop)) throw e;
      const kind = e.message.startsWith('nesting') ? 'too-deep' : 'syntax';
      return [this.problem(kind, e.message, e.at, '')];
    }
  }

  // The scanner only moves forward, so problems are located in text order and one forward scan serves
  // them all: many duplicate keys cost linear time, not a rescan from the start for each one.
  private lineScanned = 0;
  private line = 1;
  private lineStart = 0;

  private problem(kind: JsonTextProblem['kind'], message: string, at: number, path: string): JsonTextProblem {
    const end = Math.min(at, this.text.length);
    for (let i = this.lineScanned; i < end; i++) {
      if (this.text.charCodeAt(i) === 10) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    this.lineScanned = end;
    return { kind, message, line: this.line, column: at - this.lineStart + 1, path };
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  // Names the character where the scan stopped; a hidden one is named by code point, with what to do.
  private describeHere(): string {
    if (this.pos >= this.text.length) return 'the end of the text';
    const char = characterAt(this.text, this.pos);
    const name = nameCharacter(char);
    return isHidden(char) ? `${name} (${hiddenCharacterAdvice(char, this.pos === 0)})` : name;
  }

  // `depth` counts the containers around the value. Each container is a level, so the one that
  // would be the 65th is refused, whether or not it holds anything.
  private value(path: string, depth: number): void {
    const c = this.text.charAt(this.pos);
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH)
      throw new SyntaxStop(this.pos, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
    switch (c) {
      case '{':
        this.object(path, depth);
        return;
      case '[':
        this.array(path, depth);
        return;
      case '"':
        this.string();
        return;
      case 't':
        this.literal('true');
        return;
      case 'f':
        this.literal('false');
        return;
      case 'n':
        this.literal('null');
        return;
      default:
        if (c === '-' || (c >= '0' && c <= '9')) {
          this.number();
          return;
        }
        throw new SyntaxStop(this.pos, `expected a value but found ${this.describeHere()}`);
    }
  }

  private literal(word: string): void {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return;
    }
    throw new SyntaxStop(this.pos, `expected ${word} but found ${this.describeHere()}`);
  }

  private digits(): number {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos - start;
  }

  private number(): void {
    const start = this.pos;
    if (this.text.charAt(this.pos) === '-') this.pos++;
    if (this.text.charAt(this.pos) === '0') this.pos++;
    else if (this.digits() === 0) throw new SyntaxStop(this.pos, 'a number needs digits');
    if (this.text.charAt(this.pos) === '.') {
      this.pos++;
      if (this.digits() === 0)
        throw new SyntaxStop(this.pos, 'a number needs digits after the decimal point');
    }
    const e = this.text.charAt(this.pos);
    if (e === 'e' || e === 'E') {
      this.pos++;
      const sign = this.text.charAt(this.pos);
      if (sign === '+' || sign === '-') this.pos++;
      if (this.digits() === 0) throw new SyntaxStop(this.pos, 'a number needs digits in its exponent');
    }
    const next = this.text.charAt(this.pos);
    if (next >= '0' && next <= '9') throw new SyntaxStop(start, 'numbers may not have leading zeros');
  }

  /** Scans a string and returns its decoded value (needed to compare keys). */
  private string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw new SyntaxStop(this.pos, 'control characters must be escaped inside strings');
      if (c === 0x5c) {
        out += t.slice(runStart, this.pos);
        const esc = t.charAt(this.pos + 1);
        const simple = simpleEscape(esc);
        if (simple !== undefined) {
          out += simple;
          this.pos += 2;
        } else if (esc === 'u') {
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            throw new SyntaxStop(this.pos, 'a \\u escape needs four hex digits');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.pos += 6;
        } else {
          throw new SyntaxStop(this.pos, `invalid escape \\${esc}`);
        }
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
    throw new SyntaxStop(this.pos, 'unterminated string');
  }

  private object(path: string, depth: number): void {
    this.pos++; // {
    const seen = new Set<string>();
    this.skipSpace();
    if (this.text.charAt(this.pos) === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.text.charAt(this.pos) !== '"') {
        throw new SyntaxStop(
          this.pos,
          `expected a double-quoted property name but found ${this.describeHere()}`,
        );
      }
      const keyAt = this.pos;
      const key = this.string();
      const keyPath = `${path}/${pointerSegment(key)}`;
      if (seen.has(key)) {
        this.duplicates.push(
          this.problem(
            'duplicate-key',
            `duplicate key ${quote(key)}: only the last one would count`,
            keyAt,
            keyPath,
          ),
        );
      }
      seen.add(key);
      this.skipSpace();
      if (this.text.charAt(this.pos) !== ':') {
        throw new SyntaxStop(this.pos, `expected ':' after a property name but found ${this.describeHere()}`);
      }
      this.pos++;
      this.skipSpace();
      this.value(keyPath, depth + 1);
      if (this.closes('}')) return;
    }
  }

  // After a member or an element: true at the closing bracket (consumed), else past the comma.
  private closes(bracket: '}' | ']'): boolean {
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    if (c !== bracket && c !== ',') {
      throw new SyntaxStop(this.pos, `expected ',' or '${bracket}' but found ${this.describeHere()}`);
    }
    this.pos++;
    if (c === bracket) return true;
    this.skipSpace();
    return false;
  }

  private array(path: string, depth: number): void {
    this.pos++; // [
    this.skipSpace();
    if (this.text.charAt(this.pos) === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.value(`${path}/${index}`, depth + 1);
      if (this.closes(']')) return;
    }
  }
}

/** The one-character escapes of RFC 8259, decoded; `undefined` for anything else. */
function simpleEscape(c: string): string | undefined {
  switch (c) {
    case '"':
    case '\\':
    case '/':
      return c;
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return undefined;
  }
}
