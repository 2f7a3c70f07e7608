// A small, strict XML reader for libphonenumber's metadata files: elements, attributes, text, the five
// predefined entities and character references. It skips the prolog, comments and the DOCTYPE with
// its internal subset, and throws, naming the offset, on anything it does not understand (CDATA,
// processing instructions after the prolog, unknown entities, mismatched tags), so that a change in
// the file's form stops generation instead of silently dropping data.

/** One element: its name, attributes and children (elements and text, in document order). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly (XmlElement | string)[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const SPACE = /\s*/y;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class XmlReader {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  fail(what: string): never {
    const line = this.#text.slice(0, this.#at).split('\n').length;
    throw new Error(`XML, line ${line}: ${what}`);
  }

  document(): XmlElement {
    this.#misc(true);
    if (!this.#text.startsWith('<', this.#at)) this.fail('expected the root element');
    const root = this.#element();
    this.#misc(false);
    if (this.#at !== this.#text.length) this.fail('text after the root element');
    return root;
  }

  // Whitespace, comments and (before the root only) an XML declaration and a DOCTYPE.
  #misc(prolog: boolean): void {
    for (;;) {
      this.#skipSpace();
      if (this.#text.startsWith('<!--', this.#at)) this.#comment();
      else if (prolog && this.#text.startsWith('<?xml', this.#at)) this.#skipPast('?>');
      else if (prolog && this.#text.startsWith('<!DOCTYPE', this.#at)) this.#doctype();
      else return;
    }
  }

  #skipSpace(): void {
    SPACE.lastIndex = this.#at;
    SPACE.exec(this.#text);
    this.#at = SPACE.lastIndex;
  }

  #skipPast(end: string): void {
    const found = this.#text.indexOf(end, this.#at);
    if (found < 0) this.fail(`missing "${end}"`);
    this.#at = found + end.length;
  }

  #comment(): void {
    this.#at += 4;
    this.#skipPast('-->');
  }

  // The internal subset holds declarations, quoted strings and comments, any of which may contain
  // ">" or "]": walk it token by token to the "]>" that closes it.
  #doctype(): void {
    const open = this.#text.indexOf('[', this.#at);
    const close = this.#text.indexOf('>', this.#at);
    if (close < 0) this.fail('unterminated DOCTYPE');
    if (open < 0 || open > close) {
      this.#at = close + 1;
      return;
    }
    this.#at = open + 1;
    for (;;) {
      this.#skipSpace();
      if (this.#text.startsWith(']', this.#at)) {
        this.#at++;
        this.#skipSpace();
        if (!this.#text.startsWith('>', this.#at)) this.fail('expected ">" after the DOCTYPE subset');
        this.#at++;
        return;
      }
      if (this.#text.startsWith('<!--', this.#at)) this.#comment();
      else if (this.#text.startsWith('<!', this.#at)) this.#declaration();
      else this.fail('unexpected text in the DOCTYPE subset');
    }
  }

  #declaration(): void {
    for (this.#at += 2; this.#at < this.#text.length; this.#at++) {
      const c = this.#text[this.#at];
      if (c === '>') {
        this.#at++;
        return;
      }
      if (c === '"' || c === "'") {
        const end = this.#text.indexOf(c, this.#at + 1);
        if (end < 0) this.fail('unterminated string in a declaration');
        this.#at = end;
      }
    }
    this.fail('unterminated declaration');
  }

  #name(): string {
    NAME.lastIndex = this.#at;
    const match = NAME.exec(this.#text);
    if (match === null) this.fail('expected a name');
    this.#at = NAME.lastIndex;
    return match[0];
  }

  #element(): XmlElement {
    this.#at++; // "<"
    const name = this.#name();
    const attributes = new Map<string, string>();
    for (;;) {
      this.#skipSpace();
      if (this.#text.startsWith('/>', this.#at)) {
        this.#at += 2;
        return { name, attributes, children: [] };
      }
      if (this.#text.startsWith('>', this.#at)) {
        this.#at++;
        break;
      }
      const attribute = this.#name();
      this.#skipSpace();
      if (this.#text[this.#at] !== '=') this.fail(`expected "=" after attribute ${attribute}`);
      this.#at++;
      this.#skipSpace();
      const quote = this.#text[this.#at];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attribute} is not quoted`);
      const end = this.#text.indexOf(quote, this.#at + 1);
      if (end < 0) this.fail(`unterminated attribute ${attribute}`);
      if (attributes.has(attribute)) this.fail(`attribute ${attribute} appears twice`);
      attributes.set(attribute, this.#decode(this.#text.slice(this.#at + 1, end)));
      this.#at = end + 1;
    }
    const children: (XmlElement | string)[] = [];
    for (;;) {
      const next = this.#text.indexOf('<', this.#at);
      if (next < 0) this.fail(`element ${name} is not closed`);
      if (next > this.#at) children.push(this.#decode(this.#text.slice(this.#at, next)));
      this.#at = next;
      if (this.#text.startsWith('</', this.#at)) {
        this.#at += 2;
        const closing = this.#name();
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        this.#skipSpace();
        if (this.#text[this.#at] !== '>') this.fail(`expected ">" after </${name}`);
        this.#at++;
        return { name, attributes, children };
      }
      if (this.#text.startsWith('<!--', this.#at)) this.#comment();
      else if (this.#text.startsWith('<!', this.#at) || this.#text.startsWith('<?', this.#at)) {
        this.fail('CDATA sections and processing instructions are not supported');
      } else children.push(this.#element());
    }
  }

  #decode(raw: string): string {
    return raw.replace(/&([^;&\s]*);?/g, (whole, entity: string) => {
      if (!whole.endsWith(';')) this.fail(`unterminated entity "${whole}"`);
      const named = ENTITIES[entity];
      if (named !== undefined) return named;
      const code = /^#x[0-9A-Fa-f]+$/.test(entity)
        ? Number.parseInt(entity.slice(2), 16)
        : /^#[0-9]+$/.test(entity)
          ? Number.parseInt(entity.slice(1), 10)
          : undefined;
      if (code === undefined || code > 0x10ffff) this.fail(`unknown entity "${whole}"`);
      return String.fromCodePoint(code);
    });
  }
}

/** Reads an XML document into its root element; throws on anything outside the supported subset. */
export function readXml(text: string): XmlElement {
  return new XmlReader(text).document();
}

/** The child elements of `element` named `name`, in document order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** The concatenated text of an element's direct text children. */
export function textOf(element: XmlElement): string {
  return element.children.filter((c) => typeof c === 'string').join('');
}
