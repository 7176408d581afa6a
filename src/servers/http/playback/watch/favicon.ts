import type { FastifyInstance } from 'fastify';

/**
 * The browser tab icon: a red "on air" light, 32x32, as an ICO holding one PNG (241 bytes, made once with
 * ffmpeg's geq filter). Served for /favicon.ico, which browsers ask for on every page (the watch page, Swagger
 * UI), so they stop logging a 404 each time.
 */
const FAVICON_ICO = Buffer.from(
  'AAABAAEAICAAAAEAIADbAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAAlwSFlzAAAAAQAAAAEATyXE1gAAAI1JREFUeNpj' +
  'YBgFpIH/GjomeDFIzYBYTCuHkGwxNR1CseWUOIJqlpPjCIKGvbaxwYqp4ghyLCbFIWT7nljLCTkCbyhQy3IiHEG878m1HJ8jsIYCtX1PcijQwnIC' +
  'oTDqgFEHDAEH0DUbDnhBNBiK4oGvjAZDdTzwDZLB0CQbFI3SQdEsHxQdk0HTNRu+AABlpKf1VdssgwAAAABJRU5ErkJggg==',
  'base64',
);

export function registerFavicon(app: FastifyInstance): void {
  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('image/x-icon').header('cache-control', 'public, max-age=86400').send(FAVICON_ICO));
}
