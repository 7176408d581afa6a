/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every sample line parsed with its
 * labels (escapes \\ \" \n), every family declared by # HELP and # TYPE before its samples. Throws on anything else,
 * so a malformed line fails the test that scraped it.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromScrape {
  readonly samples: readonly PromSample[];
  /** family name -> counter | gauge | histogram | summary | untyped */
  readonly types: ReadonlyMap<string, string>;
  /** Samples of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): PromSample[];
  /** The single sample of `name` with `labels`, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

export function parsePrometheusText(text: string): PromScrape {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const fail = (why: string): never => {
      throw new Error(`metrics line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.startsWith('# HELP ')) {
      const name = line.slice(7).split(' ')[0]!;
      if (!NAME.test(name)) fail('bad metric name');
      helps.add(name);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!NAME.test(name!) || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) fail('bad TYPE');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const s = parseSample(line, fail);
    const family = familyOf(s.name, types);
    if (!family) fail('sample before its # TYPE');
    if (!helps.has(family!)) fail('family without # HELP');
    samples.push(s);
  }
  const matches = (s: PromSample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    samples,
    types,
    find: (name, labels = {}) => samples.filter((s) => s.name === name && matches(s, labels)),
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && matches(s, labels));
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
      return found[0]?.value;
    },
  };
}

function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(types.get(name.slice(0, -suffix.length)) ?? '')) return name.slice(0, -suffix.length);
  }
  return undefined;
}

function parseSample(line: string, fail: (why: string) => never): PromSample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) fail('bad metric name');
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) fail('label without =');
      const key = line.slice(i, eq).trim();
      if (!LABEL_NAME.test(key)) fail('bad label name');
      if (line[eq + 1] !== '"') fail('label value not quoted');
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\') {
          const next = line[++j];
          value += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : fail('bad escape');
        } else value += line[j];
      }
      if (j >= line.length) fail('unterminated label value');
      if (key in labels) fail('duplicate label');
      labels[key] = value;
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail('expected , or }');
    }
    i++;
  }
  const rest = line.slice(i).trim().split(' ');
  if (rest.length < 1 || rest.length > 2) fail('expected value [timestamp]');
  // Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes "Nan").
  const raw = rest[0]!.toLowerCase();
  const value = raw === '+inf' || raw === 'inf' ? Infinity : raw === '-inf' ? -Infinity : raw === 'nan' ? NaN : Number(raw);
  if (raw === '' || (Number.isNaN(value) && raw !== 'nan')) fail('bad value');
  return { name, labels, value };
}
