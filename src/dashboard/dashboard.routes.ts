/**
 * Serves the dashboard: hashed assets for a year, the single page for every dashboard path (the browser-side
 * router takes it from there), never cached itself so a new build shows on reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { UI_OUTPUT } from './ui-build.ts';

/** The dashboard's own paths (`/share/<project>` serves public dashboards of share links). */
export const PAGES = [
  '/',
  '/login',
  '/invite',
  '/realtime',
  '/funnels',
  '/retention',
  '/users',
  '/users/*',
  '/events',
  '/logs',
  '/changes',
  '/explore',
  '/settings',
  '/alerts',
  '/share/*',
];

const MISSING = `<!doctype html><meta charset="utf-8"><title>Sightline</title>
<body style="font:16px system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>The dashboard is not built</h1><p>Run <code>npm run build:ui</code> (it needs the dev packages: <code>npm ci</code>),
then reload. The APIs work meanwhile.</p></body>`;

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const index = path.join(UI_OUTPUT, 'index.html');
  await app.register(fastifyStatic, {
    root: path.join(UI_OUTPUT, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
  });
  const page = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    let html: string;
    try {
      html = await fs.promises.readFile(index, 'utf8');
    } catch {
      html = MISSING;
    }
    return reply
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
      )
      .type('text/html; charset=utf-8')
      .send(html);
  };
  for (const url of PAGES) app.get(url, page);
}
