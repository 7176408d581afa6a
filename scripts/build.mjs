// `npm run build`: compiles src/ into dist/ and records when (see build-state.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build-state.mjs';

process.exitCode = build(join(dirname(fileURLToPath(import.meta.url)), '..'));
