import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { REPO_ROOT } from '../../../lib/graphql';

/** Where `npm run build:ui` (scripts/buildUi.ts) writes the built pages. */
export const UI_DIST_DIR = join(REPO_ROOT, 'gateway', 'ui-dist');

/** Options of {@link serveUiPage}. */
export interface UiPageOptions {
  /** The page's folder under gateway/ui (and gateway/ui-dist), e.g. `board`. */
  page: string;
  /** Where the page's HTML is served, e.g. `/board`. */
  path: string;
  /**
   * Where its bundle and assets are served; the HTML gets a `<base href>` to it, so pages refer
   * to `main.js` relatively. @default `${path}/`
   */
  assetsPath?: string;
  /** Serve the HTML only for requests this accepts (others go to the next handler). @default all */
  when?: (req: Request) => boolean;
  /** @default UI_DIST_DIR */
  distDir?: string;
}

/** A host header fit to be echoed into a CSP source (the rest is refused by `'self'` alone). */
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * Only this origin: no CDN, no inline script or style, no framing. `ws:`/`wss:` are named
 * explicitly for the same host because older browsers do not count them as `'self'`; `data:`
 * only for images and fonts (inlined by the bundle, never a request).
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every response of a page carries. */
function setSecurityHeaders(req: Request, res: Response): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * Serves one built page of gateway/ui-dist: its `index.html` at `path` and its files under
 * `assetsPath`, with a strict Content-Security-Policy. Unhashed files (the HTML, `main.js`,
 * `main.css`) are revalidated on every load, so a rebuilt page is never stale; hashed assets are
 * cached for a year.
 */
export function serveUiPage(options: UiPageOptions): express.Router {
  const distDir = join(options.distDir ?? UI_DIST_DIR, options.page);
  const assetsPath = options.assetsPath ?? `${options.path.replace(/\/$/, '')}/`;
  const router = express.Router();
  // Read lazily, once: the server may start before the first `build:ui` has finished.
  let html: string | undefined;
  const page: RequestHandler = (req, res, next) => {
    if (options.when && !options.when(req)) return next();
    const file = join(distDir, 'index.html');
    if (html === undefined && existsSync(file))
      html = readFileSync(file, 'utf8').replace(
        /<head>/i,
        `<head><base href="${assetsPath.replace(/"/g, '')}">`,
      );
    setSecurityHeaders(req, res);
    if (html === undefined) {
      res
        .status(503)
        .type('text/plain')
        .send(`The ${options.page} page is not built: run \`npm run build:ui\`.\n`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  };
  router.get(options.path, page);
  if (options.path !== '/' && !options.path.endsWith('/')) router.get(`${options.path}/`, page);
  router.use(
    assetsPath,
    (req, res, next) => {
      setSecurityHeaders(req, res);
      next();
    },
    express.static(distDir, {
      index: false,
      fallthrough: true,
      setHeaders: (res, filePath) => {
        const hashed = /[\\/]assets[\\/]/.test(filePath);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
