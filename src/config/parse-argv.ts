import { OnAirError } from '../core/errors.js';
import { SETTINGS, flagName, type SettingName } from './schema.js';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);
/** The words a boolean setting takes, as errors name them. */
export const BOOL_WORDS_TEXT = 'on/off, true/false, yes/no or 1/0';

/** A boolean setting's word (any case) as its value; undefined when it is none of them. */
export function boolWord(word: string): boolean | undefined {
  const w = word.toLowerCase();
  return TRUE_WORDS.has(w) ? true : FALSE_WORDS.has(w) ? false : undefined;
}

export interface ParsedArgv {
  /** Raw values by setting; a bare boolean flag is `'true'`, `--no-<flag>` is `'false'`. */
  readonly flags: Map<SettingName, string>;
  readonly configFile?: string;
}

/**
 * `--flag value`, `--flag=value`, bare booleans (`--hls`, `--tcp-nodelay`) and `--no-<boolean>`. Unknown flags
 * are errors (a typo must not silently fall back to a default) and name the closest known flag; a boolean flag's
 * bad word (`--hls maybe`) is named with the words it takes.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const byFlag = new Map(Object.keys(SETTINGS).map((k) => [flagName(k), k as SettingName]));
  const flags = new Map<SettingName, string>();
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new OnAirError('ONAIR_ERR_CONFIG', `unexpected argument ${JSON.stringify(arg)} (flags start with --; see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    const takeNext = (): string | undefined => (next === undefined || next.startsWith('--') ? undefined : (i++, next));
    if (name === 'config') {
      configFile = inline ?? takeNext();
      if (!configFile) throw new OnAirError('ONAIR_ERR_CONFIG', '--config needs a value (a .yaml or .json file)');
      continue;
    }
    const key = byFlag.get(name);
    if (key && SETTINGS[key].type === 'bool') {
      // No argument stands alone, so a word after a boolean flag is its value: a bad one is named as that.
      const word = inline ?? takeNext();
      if (word !== undefined && boolWord(word) === undefined) {
        throw new OnAirError('ONAIR_ERR_CONFIG', `bad value for --${name}: ${JSON.stringify(word)} (expected ${BOOL_WORDS_TEXT}, or the flag alone for on)`);
      }
      flags.set(key, word ?? 'true');
      continue;
    }
    if (key) {
      const value = inline ?? takeNext();
      if (value === undefined) throw new OnAirError('ONAIR_ERR_CONFIG', `--${name} needs a value`);
      flags.set(key, value);
      continue;
    }
    const negated = name.startsWith('no-') ? byFlag.get(name.slice(3)) : undefined;
    if (negated && inline === undefined) {
      if (SETTINGS[negated].type !== 'bool') throw new OnAirError('ONAIR_ERR_CONFIG', `--${name}: --${name.slice(3)} is not a boolean flag`);
      flags.set(negated, 'false');
      continue;
    }
    const guess = closestFlag(name, [...byFlag.keys(), 'config', 'help', 'version']);
    throw new OnAirError('ONAIR_ERR_CONFIG', `unknown flag --${name}${guess ? `; did you mean --${guess}?` : ' (see --help)'}`);
  }
  return { flags, configFile };
}

/** The known flag nearest to `name` by edit distance, when near enough to be a typo (a third of its length). */
export function closestFlag(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
