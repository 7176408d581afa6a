import { readFileSync } from 'node:fs';
import { SETTINGS, envName, flagName, type SettingName, type SettingSpec } from './schema.js';

/** The package version (package.json sits one level above both src/ and dist/). */
export function onairVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What a flag's value looks like in --help: `<int>`, `<keys|signed|...>`, `<url>`, `<file>`. */
function placeholder(key: string, spec: SettingSpec): string {
  if (spec.type === 'int') return '<int>';
  if (spec.type === 'enum') return `<${spec.values!.join('|')}>`;
  if (spec.secret) return '<secret>';
  if (/Url$/.test(key)) return '<url>';
  if (/(Cert|Key|Path)$/.test(key)) return '<file>';
  if (/Dir$/.test(key)) return '<dir>';
  if (key === 'host') return '<address>';
  return '<value>';
}

/** `npm start -- --help`. Defaults are the built-in ones: never a value from the environment (it may be a secret). */
export function helpText(): string {
  const lines = [
    'Usage: npm start -- [flags]        (or: node dist/main.js [flags])',
    '',
    '  --config <file>  settings from a .yaml or .json file (camelCase keys, e.g. rtmpPort: 1935; env ONAIR_CONFIG)',
    '  --help           this text',
    '  --version        print the version',
    '',
    'Settings (precedence: flag > env ONAIR_<FLAG> > config file > default; booleans: --flag, --no-flag, --flag false):',
  ];
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const flag = spec.type === 'bool' ? `--[no-]${flagName(key)}` : `--${flagName(key)} ${placeholder(key, spec)}`;
    const shown = spec.secret || spec.default === '' ? '' : ` [default: ${JSON.stringify(spec.default)}]`;
    const env = ` (env ${envName(key)}${spec.env ? ` or ${spec.env}` : ''})`;
    lines.push(`  ${flag}  ${spec.doc}${shown}${env}`);
  }
  return lines.join('\n');
}
