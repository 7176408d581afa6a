#!/usr/bin/env node
// OnAir control-plane CLI. Uses the build (dist/) when it is up to date, else runs the TypeScript sources via tsx.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIsFresh } from '../scripts/build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'onair-command.js');
let mod;
if (buildIsFresh(root)) {
  mod = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(pathToFileURL(join(root, 'src', 'onair-command.ts')).href);
}
process.exitCode = await mod.runOnairCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
