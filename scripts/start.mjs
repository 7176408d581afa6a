// `npm start`: runs the server from dist/. It compiles first only when dist/ is missing or older than the
// sources, and then only after the flags, config file and ports passed their checks (run from the sources),
// so a mistake is reported at once instead of after the compile.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, buildIsFresh } from './build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'main.js');

if (!buildIsFresh(root)) {
  const canBuild = existsSync(join(root, 'node_modules', 'typescript')) && existsSync(join(root, 'node_modules', 'tsx'));
  if (canBuild) {
    const { register } = await import('tsx/esm/api');
    const unregister = register();
    const { preflight } = await import(pathToFileURL(join(root, 'src', 'preflight.ts')).href);
    const checked = await preflight(process.argv.slice(2), process.env);
    unregister();
    if ('exitCode' in checked) process.exit(checked.exitCode);
    console.error(existsSync(main) ? 'onair: the sources changed since the last build; building dist/ ...' : 'onair: first start; building dist/ (once) ...');
    const status = build(root);
    if (status !== 0) process.exit(status);
  } else if (!existsSync(main)) {
    console.error('onair: dist/ is missing and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm start`');
    process.exit(1);
  }
}
await import(pathToFileURL(main).href);
