/**
 * Bundles the gateway's browser pages: every folder `gateway/ui/<page>/` holding an `index.html`
 * and a `main.ts` or `main.tsx` becomes `gateway/ui-dist/<page>/` (`index.html`, `main.js`,
 * `main.css` when the page imports CSS, and the fonts or images it imports), minified, with
 * nothing loaded from a CDN: the pages must work on a machine without internet.
 *
 * `tsx scripts/buildUi.ts` builds; `--if-stale` builds only when a source is newer than the
 * last build (scripts/start.sh and the integration tests' global setup use it).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const REPO = join(__dirname, '..');
/** Page sources, one folder per page. */
export const UI_SOURCE_DIR = join(REPO, 'gateway', 'ui');
/** Built pages, served by the gateway (gateway/src/ui/serveUiPage.ts); git-ignored. */
export const UI_DIST_DIR = join(REPO, 'gateway', 'ui-dist');
/** Written last: its time is the build's, and its absence means an unfinished build. */
const STAMP = '.built';
const ENTRY_NAMES = ['main.tsx', 'main.ts'];
/** An index.html loading anything from another origin (`src`/`href` to http(s) or `//`). */
const EXTERNAL_REFERENCE = /\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i;

/** A page to bundle: its name (the folder) and its entry module. */
export interface UiPage {
  name: string;
  dir: string;
  entry: string;
}

/** The folders under gateway/ui that follow the page convention. */
export function findUiPages(sourceDir: string = UI_SOURCE_DIR): UiPage[] {
  if (!existsSync(sourceDir)) return [];
  return readdirSync(sourceDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(sourceDir, entry.name);
      const entryName = ENTRY_NAMES.find((name) => existsSync(join(dir, name)));
      if (!entryName || !existsSync(join(dir, 'index.html'))) return [];
      return [{ name: entry.name, dir, entry: join(dir, entryName) }];
    });
}

/** Newest modification time under a path (files only), 0 when it does not exist. */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestMtime(join(path, name))),
    0,
  );
}

/**
 * Whether gateway/ui-dist is missing, unfinished or older than its sources: the pages, this
 * script, and the lockfile (an upgraded front-end package changes the bundle).
 */
export function isUiStale(): boolean {
  const stamp = join(UI_DIST_DIR, STAMP);
  if (!existsSync(stamp)) return true;
  const sources = [UI_SOURCE_DIR, __filename, join(REPO, 'package-lock.json')];
  return Math.max(...sources.map(newestMtime)) > statSync(stamp).mtimeMs;
}

/** Bundles one page into `outDir`. */
async function buildPage(page: UiPage, outDir: string): Promise<void> {
  const html = readFileSync(join(page.dir, 'index.html'), 'utf8');
  if (EXTERNAL_REFERENCE.test(html))
    throw new Error(
      `gateway/ui/${page.name}/index.html: expected only same-origin references, but it loads from another origin`,
    );
  await build({
    entryPoints: { main: page.entry },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Fonts and images the CSS imports are emitted next to the bundle, never fetched elsewhere.
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
    assetNames: 'assets/[name]-[hash]',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  copyFileSync(join(page.dir, 'index.html'), join(outDir, 'index.html'));
}

/**
 * Builds every page into a fresh folder, then swaps it in, so a server or a concurrent reader
 * never sees half a build.
 */
export async function buildUi(): Promise<UiPage[]> {
  const pages = findUiPages();
  const staging = `${UI_DIST_DIR}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const page of pages) await buildPage(page, join(staging, page.name));
    writeFileSync(join(staging, STAMP), `${new Date().toISOString()}\n`);
    rmSync(UI_DIST_DIR, { recursive: true, force: true });
    renameSync(staging, UI_DIST_DIR);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return pages;
}

/** Builds when asked to, or only when stale with `--if-stale`. */
async function main(): Promise<void> {
  if (process.argv.includes('--if-stale') && !isUiStale()) return;
  const started = Date.now();
  const pages = await buildUi();
  console.log(
    `[ui] built ${pages.map((page) => page.name).join(', ') || 'no pages'} into gateway/ui-dist in ${Date.now() - started} ms`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
