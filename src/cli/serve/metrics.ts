// The metrics of `sipguard serve` in the Prometheus text exposition format (version 0.0.4), written
// by hand: counters, gauges and one histogram are all it needs (docs/decisions/0005-metrics-by-hand.md).

/** A counter with fixed label names; `inc` takes the label values in the same order. */
export interface Counter {
  readonly inc: (labelValues: readonly string[], by?: number) => void;
}

/** A histogram with one label; `observe` takes the label value and a value in seconds. */
export interface Histogram {
  readonly observe: (labelValue: string, seconds: number) => void;
}

type Family =
  | {
      readonly kind: 'counter';
      readonly name: string;
      readonly help: string;
      readonly labels: readonly string[];
      readonly series: Map<string, { values: readonly string[]; value: number }>;
    }
  | {
      readonly kind: 'gauge' | 'counter-read';
      readonly name: string;
      readonly help: string;
      readonly read: () => number | Promise<number>;
    }
  | {
      readonly kind: 'histogram';
      readonly name: string;
      readonly help: string;
      readonly label: string;
      readonly buckets: readonly number[];
      readonly series: Map<string, { counts: number[]; sum: number; count: number }>;
    };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the format writes it: backslash, double quote and line feed escaped. */
export const escapeLabelValue = (value: string): string =>
  value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

const escapeHelp = (text: string): string => text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');

/** A sample value: integers as is, `+Inf`, `-Inf` and `NaN` as the format spells them. */
const formatValue = (value: number): string =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);

const labelText = (names: readonly string[], values: readonly string[]): string =>
  names.length === 0
    ? ''
    : `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`).join(',')}}`;

/** A set of metric families, rendered in the order they were made. */
export class MetricRegistry {
  readonly #families: Family[] = [];

  #add(family: Family): void {
    if (!NAME.test(family.name)) throw new Error(`invalid metric name ${JSON.stringify(family.name)}`);
    if (this.#families.some((f) => f.name === family.name)) throw new Error(`metric ${family.name} exists`);
    this.#families.push(family);
  }

  /** A counter; label values are given in the order of `labels`. */
  counter(name: string, help: string, labels: readonly string[] = []): Counter {
    for (const label of labels) if (!LABEL.test(label)) throw new Error(`invalid label name ${label}`);
    const series = new Map<string, { values: readonly string[]; value: number }>();
    this.#add({ kind: 'counter', name, help, labels, series });
    return {
      inc(values, by = 1) {
        // A label value never holds U+0000 here (they are route names and codes), so the key is unique.
        const key = values.join('\u0000');
        const entry = series.get(key);
        if (entry === undefined) series.set(key, { values: [...values], value: by });
        else entry.value += by;
      },
    };
  }

  /** A counter kept elsewhere (it must never decrease), read when the metrics are rendered. */
  counterReadFrom(name: string, help: string, read: () => number): void {
    this.#add({ kind: 'counter-read', name, help, read });
  }

  /** A gauge read when the metrics are rendered. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.#add({ kind: 'gauge', name, help, read });
  }

  /** A histogram over `buckets` (upper bounds, ascending; `+Inf` is added). */
  histogram(name: string, help: string, label: string, buckets: readonly number[]): Histogram {
    if (!LABEL.test(label) || label === 'le') throw new Error(`invalid label name ${label}`);
    const series = new Map<string, { counts: number[]; sum: number; count: number }>();
    this.#add({ kind: 'histogram', name, help, label, buckets, series });
    return {
      observe(value, seconds) {
        let entry = series.get(value);
        if (entry === undefined) {
          entry = { counts: buckets.map(() => 0), sum: 0, count: 0 };
          series.set(value, entry);
        }
        // Counts per bucket here; the rendering makes them cumulative.
        const i = buckets.findIndex((bound) => seconds <= bound);
        if (i >= 0) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
        entry.sum += seconds;
        entry.count += 1;
      },
    };
  }

  /** The exposition: `# HELP`, `# TYPE`, then the samples of each family; ends with a line feed. */
  async render(): Promise<string> {
    const lines: string[] = [];
    for (const family of this.#families) {
      const type = family.kind === 'counter-read' ? 'counter' : family.kind;
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${type}`);
      switch (family.kind) {
        case 'counter':
          for (const { values, value } of family.series.values()) {
            lines.push(`${family.name}${labelText(family.labels, values)} ${formatValue(value)}`);
          }
          break;
        case 'gauge':
        case 'counter-read':
          lines.push(`${family.name} ${formatValue(await family.read())}`);
          break;
        case 'histogram':
          for (const [value, { counts, sum, count }] of family.series) {
            let cumulative = 0;
            family.buckets.forEach((bound, i) => {
              cumulative += counts[i] ?? 0;
              const labels = labelText([family.label, 'le'], [value, formatValue(bound)]);
              lines.push(`${family.name}_bucket${labels} ${cumulative}`);
            });
            lines.push(`${family.name}_bucket${labelText([family.label, 'le'], [value, '+Inf'])} ${count}`);
            lines.push(`${family.name}_sum${labelText([family.label], [value])} ${formatValue(sum)}`);
            lines.push(`${family.name}_count${labelText([family.label], [value])} ${count}`);
          }
          break;
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
