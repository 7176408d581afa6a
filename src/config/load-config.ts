import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { OnAirError } from '../core/errors.js';
import { SETTINGS, envName, flagName, type Config, type SettingName, type SettingSpec } from './schema.js';

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
      const s = String(raw).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return fail(`expected a boolean, got ${JSON.stringify(raw)}`);
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

/** Splits argv into --flag value / --flag=value pairs; unknown flags are an error (typos should not pass). */
function parseArgv(argv: readonly string[]): { flags: Map<string, string>; configFile?: string } {
  const byFlag = new Map(Object.keys(SETTINGS).map((k) => [flagName(k), k]));
  const flags = new Map<string, string>();
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new OnAirError('ONAIR_ERR_CONFIG', `unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new OnAirError('ONAIR_ERR_CONFIG', `--${name} needs a value`);
    if (name === 'config') {
      configFile = value;
      continue;
    }
    const key = byFlag.get(name);
    if (!key) throw new OnAirError('ONAIR_ERR_CONFIG', `unknown flag --${name} (see --help)`);
    flags.set(key, value);
  }
  return { flags, configFile };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OnAirError('ONAIR_ERR_CONFIG', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
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
    out[key] = spec.secret && v !== '' ? '********' : v;
  }
  return out;
}

export function helpText(): string {
  const lines = ['Usage: npm start -- [--config onair.yaml|json] [flags]', '', 'Flags (env ONAIR_<FLAG>; precedence flag > env > file > default):'];
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const vals = spec.values ? ` (${spec.values.join('|')})` : '';
    const extraEnv = spec.env ? `, env ${spec.env}` : '';
    lines.push(`  --${flagName(key)}${vals}  ${spec.doc} [default: ${JSON.stringify(spec.default)}${extraEnv}]`);
  }
  return lines.join('\n');
}
