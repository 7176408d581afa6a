import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

/**
 * The layering rule of eslint.config.js, run on fixture sources placed (virtually) in src/: it must refuse an
 * upward import in every layer it covers and any import of test/, bench/ or support/ from src/, and accept
 * what the architecture allows, so a rule that silently stopped matching fails here.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function restricted(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(root, filePath) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const refused: [file: string, importPath: string, why: RegExp][] = [
  ['src/services/streams/x.ts', '../../../test/support/api-harness.js', /src must not import test\//],
  ['src/services/streams/x.test.ts', '../../../test/support/api-harness.js', /src must not import test\//],
  ['src/db/x.test.ts', '../../test/support/postgres.js', /src must not import test\//],
  ['src/servers/http/x.ts', '../../../bench/lib/servers.js', /src must not import bench\//],
  ['src/servers/http/x.ts', '../../../support/onair.js', /src must not import support\//],
  ['src/hub/x.ts', '../protocols/rtmp/index.js', /src\/hub must not import src\/protocols/],
  ['src/protocols/hls/x.ts', '../../hub/index.js', /src\/protocols must not import src\/hub/],
  ['src/bridges/hls/x.ts', '../../servers/http/api-errors.js', /src\/bridges must not import src\/servers/],
  ['src/servers/http/x.ts', '../../cli/onair-cli.js', /src\/servers must not import src\/cli/],
  ['src/config/x.ts', '../services/streams/stream-types.js', /src\/config must not import src\/services/],
  ['src/web/x.ts', '../servers/http/api-errors.js', /src\/web must not import src\/servers/],
  ['src/cli/x.ts', '../services/streams/stream-types.js', /src\/cli must not import src\/services/],
  ['src/services/streams/x.ts', '../../protocols/hls/index.js', /src\/services must not import src\/protocols/],
  ['src/protocols/hls/x.ts', './testing/media-feed.js', /production code must not import testing\//],
];

test('an upward or src -> test/bench/support import fails lint, in every layer the rule covers', async () => {
  for (const [file, importPath, why] of refused) {
    const messages = await restricted(file, `import { x } from '${importPath}';\nexport const y = x;\n`);
    assert.ok(messages.some((m) => why.test(m)), `${file} importing ${importPath}: ${JSON.stringify(messages)}`);
  }
});

test('imports the architecture allows pass the rule', async () => {
  const allowed: [string, string][] = [
    ['src/servers/http/playback/watch/x.ts', '../../../../web/watch-page.js'],
    ['src/servers/http/x.ts', '../../protocols/hls/index.js'],
    ['src/bridges/hls/x.ts', '../../config/schema.js'],
    ['src/services/streams/x.ts', '../../db/page-cursor.js'],
    ['src/protocols/hls/x.test.ts', './testing/media-feed.js'],
    ['src/protocols/hls/testing/x.ts', '../../../formats/fmp4/testing/ffmpeg-media.js'],
  ];
  for (const [file, importPath] of allowed) {
    assert.deepEqual(await restricted(file, `import { x } from '${importPath}';\nexport const y = x;\n`), [], `${file} importing ${importPath}`);
  }
});
