// Expands a libphonenumber number pattern into the finite set of digit strings it matches in full.
// Emergency patterns use a small regular-expression subset: digits, `\d`, character classes of
// digits, groups, `|`, and the bounded quantifiers `?`, `{n}` and `{m,n}`. Anything else (`*`, `+`,
// `.`, anchors, letters) makes the language infinite or the meaning uncertain, so it throws.

/** Most strings one pattern may expand to: far above any territory's list, low enough to stay compact. */
export const MAX_EXPANSION = 10_000;

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

class PatternExpander {
  readonly #pattern: string;
  #at = 0;

  constructor(pattern: string) {
    this.#pattern = pattern;
  }

  fail(what: string): never {
    throw new Error(`pattern ${JSON.stringify(this.#pattern)} at offset ${this.#at}: ${what}`);
  }

  all(): Set<string> {
    const language = this.#alternation();
    if (this.#at !== this.#pattern.length) this.fail('unbalanced ")"');
    return language;
  }

  #alternation(): Set<string> {
    const language = this.#sequence();
    while (this.#pattern[this.#at] === '|') {
      this.#at++;
      for (const s of this.#sequence()) language.add(s);
      this.#bound(language);
    }
    return language;
  }

  #sequence(): Set<string> {
    let language = new Set(['']);
    for (;;) {
      const c = this.#pattern[this.#at];
      if (c === undefined || c === '|' || c === ')') return language;
      language = this.#concat(language, this.#quantified(this.#atom()));
    }
  }

  #atom(): Set<string> {
    const c = this.#pattern[this.#at];
    if (c !== undefined && c >= '0' && c <= '9') {
      this.#at++;
      return new Set([c]);
    }
    if (c === '\\') {
      if (this.#pattern[this.#at + 1] !== 'd') this.fail('only the escape \\d is supported');
      this.#at += 2;
      return new Set(DIGITS);
    }
    if (c === '[') return this.#characterClass();
    if (c === '(') {
      this.#at += this.#pattern.startsWith('(?:', this.#at) ? 3 : 1;
      const inner = this.#alternation();
      if (this.#pattern[this.#at] !== ')') this.fail('missing ")"');
      this.#at++;
      return inner;
    }
    return this.fail(`unsupported ${c === undefined ? 'end' : JSON.stringify(c)}`);
  }

  // A class of digits and digit ranges, such as [2-46] or [\d]; negation is refused.
  #characterClass(): Set<string> {
    this.#at++;
    if (this.#pattern[this.#at] === '^') this.fail('negated classes are not supported');
    const members = new Set<string>();
    for (;;) {
      const c = this.#pattern[this.#at];
      if (c === ']' && members.size > 0) {
        this.#at++;
        return members;
      }
      if (c === '\\' && this.#pattern[this.#at + 1] === 'd') {
        for (const d of DIGITS) members.add(d);
        this.#at += 2;
        continue;
      }
      if (c === undefined || c < '0' || c > '9') this.fail('a class may hold digits, ranges and \\d only');
      const to = this.#pattern[this.#at + 2];
      if (this.#pattern[this.#at + 1] === '-' && to !== undefined && to >= '0' && to <= '9') {
        if (to < c) this.fail('reversed range');
        for (let d = c.charCodeAt(0); d <= to.charCodeAt(0); d++) members.add(String.fromCharCode(d));
        this.#at += 3;
      } else {
        members.add(c);
        this.#at++;
      }
    }
  }

  #quantified(atom: Set<string>): Set<string> {
    const c = this.#pattern[this.#at];
    if (c === '*' || c === '+') this.fail('unbounded quantifiers make the set infinite');
    if (c === '?') {
      this.#at++;
      return this.#repeat(atom, 0, 1);
    }
    if (c !== '{') return atom;
    const match = /^\{([0-9]+)(?:,([0-9]+))?\}/.exec(this.#pattern.slice(this.#at));
    if (match === null) this.fail('expected {n} or {m,n}');
    this.#at += match[0].length;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : Number(match[2]);
    if (max < min) this.fail('quantifier {m,n} with n < m');
    return this.#repeat(atom, min, max);
  }

  #repeat(atom: Set<string>, min: number, max: number): Set<string> {
    const language = new Set<string>();
    let power = new Set(['']);
    for (let n = 0; n <= max; n++) {
      if (n >= min) for (const s of power) language.add(s);
      if (n < max) power = this.#concat(power, atom);
    }
    return this.#bound(language);
  }

  #concat(left: Set<string>, right: Set<string>): Set<string> {
    // Checked before building, so a pattern far over the bound fails at once.
    if (left.size * right.size > MAX_EXPANSION) this.fail(`matches more than ${MAX_EXPANSION} strings`);
    const language = new Set<string>();
    for (const a of left) for (const b of right) language.add(a + b);
    return this.#bound(language);
  }

  #bound(language: Set<string>): Set<string> {
    if (language.size > MAX_EXPANSION) this.fail(`matches more than ${MAX_EXPANSION} strings`);
    return language;
  }
}

/** Every digit string `pattern` (libphonenumber syntax, whitespace removed) matches in full. */
export function expandPattern(pattern: string): Set<string> {
  return new PatternExpander(pattern).all();
}
