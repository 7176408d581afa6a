import { OnAirError, checkLimit } from '../../core/errors.js';
import { MAX_ATTRIBUTES } from './limits.js';

/** Attribute lists (RFC 8216 §4.2): NAME=value pairs, comma separated; quoted strings may hold commas. */

export type AttributeValue = string | number | boolean | undefined;

/** decimal-floating-point, trimmed: at most `digits` decimals, no trailing zeros (PART-TARGET=0.33334). */
export function formatDecimal(x: number, digits = 5): string {
  if (!Number.isFinite(x) || x < 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `not a non-negative decimal: ${x}`);
  const s = x.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** quoted-string: no CR, LF or double quote inside (§4.2). */
export function quoted(s: string): string {
  checkText(s);
  return `"${s}"`;
}

/** A URI line or quoted text must not break the line structure. */
export function checkText(s: string): void {
  if (/[\r\n"]/.test(s)) throw new OnAirError('ONAIR_ERR_MALFORMED', `text holds CR, LF or '"': ${JSON.stringify(s)}`);
}

/** Renders `NAME=value` pairs; `undefined` and `false` values are left out; `true` becomes YES. */
export function formatAttributes(pairs: readonly (readonly [string, string | boolean | undefined])[]): string {
  const out: string[] = [];
  for (const [name, v] of pairs) {
    if (v === undefined || v === false) continue;
    out.push(`${name}=${v === true ? 'YES' : v}`);
  }
  return out.join(',');
}

/** Parses an attribute list into raw values (quotes removed). Duplicate names: the last wins. */
export function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `attribute without '=': ${text.slice(i, i + 40)}`);
    const name = text.slice(i, eq).trim();
    if (!/^[A-Z0-9-]+$/.test(name)) throw new OnAirError('ONAIR_ERR_MALFORMED', `bad attribute name '${name.slice(0, 40)}'`);
    let value: string;
    if (text[eq + 1] === '"') {
      const close = text.indexOf('"', eq + 2);
      if (close < 0) throw new OnAirError('ONAIR_ERR_MALFORMED', `unterminated quoted string for ${name}`);
      value = text.slice(eq + 2, close);
      i = close + 1;
    } else {
      const comma = text.indexOf(',', eq + 1);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(eq + 1, end).trim();
      i = end;
    }
    out.set(name, value);
    checkLimit('attributes in one tag', out.size, MAX_ATTRIBUTES);
    if (i < text.length) {
      if (text[i] !== ',') throw new OnAirError('ONAIR_ERR_MALFORMED', `expected ',' after ${name}`);
      i++;
    }
  }
  return out;
}

export function decimalAttr(attrs: Map<string, string>, name: string): number | undefined {
  const v = attrs.get(name);
  return v === undefined ? undefined : parseDecimal(v, name);
}

export function parseDecimal(v: string, what: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(v.trim())) throw new OnAirError('ONAIR_ERR_MALFORMED', `${what}: not a number '${v.slice(0, 40)}'`);
  return Number(v);
}

export function parseInteger(v: string, what: string): number {
  if (!/^\d{1,16}$/.test(v.trim())) throw new OnAirError('ONAIR_ERR_MALFORMED', `${what}: not a decimal-integer '${v.slice(0, 40)}'`);
  return Number(v);
}

export function requireAttr(attrs: Map<string, string>, name: string, tag: string): string {
  const v = attrs.get(name);
  if (v === undefined) throw new OnAirError('ONAIR_ERR_MALFORMED', `${tag} without ${name}`);
  return v;
}
