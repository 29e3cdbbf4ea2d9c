/**
 * The web console (web/, built into web/dist by `npm ci`): its hashed assets, and its
 * index.html at each of the console's own paths so that a reload or a bookmark lands in the
 * right view. Everything else stays an API 404. The console has no data of its own: it reads
 * and writes through the same API as every other client.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { fail } from '../domain/errors.ts';
import type { BreachdeskApp } from './server.ts';

/** Where `npm run build:web` writes the console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The console's client-side routes (web/src/app.tsx); each serves the same index.html. */
export const CONSOLE_PATHS = [
  '/',
  '/queue',
  '/dashboards',
  '/audit',
  '/investigations/:id',
  '/tenants/:tenantId',
  '/confirm-contact',
] as const;

export async function registerConsole(app: BreachdeskApp, dir = CONSOLE_DIR): Promise<void> {
  await app.register(fastifyStatic, { root: dir, serve: false });
  const built = () => existsSync(`${dir}/index.html`);

  for (const path of CONSOLE_PATHS) {
    app.get(path, { config: { action: 'console.asset' }, schema: { hide: true } }, (_r, reply) => {
      if (!built()) {
        fail('BD_UNAVAILABLE', 'the web console is not built: run `npm run build:web` first');
      }
      // The page itself must never be cached: a new build names new assets.
      return reply
        .header('cache-control', 'no-store')
        .sendFile('index.html', { cacheControl: false });
    });
  }

  app.get(
    '/favicon.svg',
    { config: { action: 'console.asset' }, schema: { hide: true } },
    (_request, reply) => reply.sendFile('favicon.svg', { maxAge: '1d' }),
  );

  app.get(
    '/assets/*',
    { config: { action: 'console.asset' }, schema: { hide: true } },
    (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      // Vite names every asset by its content hash, so a browser may keep it for good.
      return reply.sendFile(`assets/${name}`, { immutable: true, maxAge: '365d' });
    },
  );
}
