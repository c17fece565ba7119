/**
 * A strict reader of the Prometheus text format 0.0.4 (prom-client exports no parser): every
 * line is a HELP, a TYPE or a sample of a declared family, label values are quoted with the
 * format's escapes, values are numbers. Anything else throws with the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)( -?\\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function parseValue(raw: string, line: string): number {
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
  if (/^nan$/i.test(raw)) return Number.NaN;
  if (/^\+?inf$/i.test(raw)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(raw)) return Number.NEGATIVE_INFINITY;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`bad value: ${line}`);
  return Number(raw);
}

function parseLabels(raw: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = raw;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m?.[1]) throw new Error(`bad labels: ${line}`);
    if (m[1] in out) throw new Error(`duplicate label: ${line}`);
    out[m[1]] = (m[2] ?? '').replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return out;
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  return suffix && types.has(name.slice(0, -suffix.length)) ? name.slice(0, -suffix.length) : undefined;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (line === '') continue;
    const help = HELP.exec(line);
    if (help?.[1]) {
      if (helped.has(help[1])) throw new Error(`HELP twice: ${line}`);
      helped.add(help[1]);
      continue;
    }
    const type = TYPE.exec(line);
    if (type?.[1] && type[2]) {
      if (types.has(type[1])) throw new Error(`TYPE twice: ${line}`);
      types.set(type[1], type[2]);
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unknown comment: ${line}`);
    const s = SAMPLE.exec(line);
    if (!s?.[1] || !s[4]) throw new Error(`bad sample: ${line}`);
    if (!familyOf(s[1], types)) throw new Error(`sample of an undeclared family: ${line}`);
    samples.push({ name: s[1], labels: parseLabels(s[3] ?? '', line), value: parseValue(s[4], line) });
  }
  return { types, samples };
}

/** The value of one series (0 when absent), matching every given label. */
export function seriesValue(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return e.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
