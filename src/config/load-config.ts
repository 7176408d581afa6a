import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { OnAirError } from '../core/errors.js';
import { SETTINGS, envName, flagName, type Config, type SettingName, type SettingSpec } from './schema.js';
import { BOOL_WORDS_TEXT, boolWord, parseArgv } from './parse-argv.js';

export interface LoadConfigInput {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

function coerce(key: string, spec: SettingSpec, raw: unknown, source: string): unknown {
  const fail = (why: string): never => {
    throw new OnAirError('ONAIR_ERR_CONFIG', `${key} from ${source}: ${why}`);
  };
  switch (spec.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n)) fail(`expected an integer, got ${JSON.stringify(raw)}`);
      if (spec.min !== undefined && n < spec.min) fail(`${n} is below ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) fail(`${n} is above ${spec.max}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      return boolWord(String(raw)) ?? fail(`expected ${BOOL_WORDS_TEXT}, got ${JSON.stringify(raw)}`);
    }
    case 'enum': {
      const s = String(raw);
      if (!spec.values!.includes(s)) fail(`expected one of ${spec.values!.join('|')}, got ${JSON.stringify(raw)}`);
      return s;
    }
    default:
      return String(raw);
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OnAirError('ONAIR_ERR_CONFIG', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const kind = path.endsWith('.json') ? 'JSON' : 'YAML';
    throw new OnAirError('ONAIR_ERR_CONFIG', `config file ${path} is not valid ${kind}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new OnAirError('ONAIR_ERR_CONFIG', `${path}: expected a mapping`);
  for (const key of Object.keys(data)) {
    if (!(key in SETTINGS)) throw new OnAirError('ONAIR_ERR_CONFIG', `${path}: unknown setting ${key}`);
  }
  return data as Record<string, unknown>;
}

/** Builds the effective config: flag > env > file > default. */
export function loadConfig({ argv = [], env = process.env }: LoadConfigInput = {}): Config {
  const { flags, configFile } = parseArgv(argv);
  const file = configFile ?? env.ONAIR_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const envValue = env[envName(key)] ?? (spec.env ? env[spec.env] : undefined);
    if (flags.has(key)) out[key] = coerce(key, spec, flags.get(key), `--${flagName(key)}`);
    else if (envValue !== undefined && envValue !== '') out[key] = coerce(key, spec, envValue, envName(key));
    else if (key in fromFile) out[key] = coerce(key, spec, fromFile[key], file!);
    else out[key] = spec.default;
  }
  const config = out as Config;
  if ((config.tlsCert === '') !== (config.tlsKey === '')) {
    throw new OnAirError('ONAIR_ERR_CONFIG', '--tls-cert and --tls-key go together');
  }
  if (config.srtPassphrase !== '' && (config.srtPassphrase.length < 10 || config.srtPassphrase.length > 79)) {
    throw new OnAirError('ONAIR_ERR_CONFIG', '--srt-passphrase must be 10 to 79 characters (libsrt SRTO_PASSPHRASE)');
  }
  return Object.freeze(config);
}

/** The config as printable lines, secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const v = config[key];
    out[key] = spec.secret && v !== '' ? '********' : spec.urlPassword && v !== '' ? maskUrlPassword(String(v)) : v;
  }
  return out;
}

export { helpText } from './help-text.js';

/** `redis://:pw@host` -> `redis://:********@host`; a value that is no URL is masked whole (it may be anything). */
function maskUrlPassword(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '********';
    return u.toString();
  } catch {
    return '********';
  }
}
