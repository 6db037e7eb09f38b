import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The web console's folder (sources, index.html) and where its build goes (gitignored). */
export const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.join(WEB_DIR, 'dist');
const STAMP = path.join(WEB_DIST, '.built');
const PACKAGE_LOCK = path.join(WEB_DIR, '..', 'package-lock.json');

/** Newest modification time among the console's sources and the installed dependency set. */
function newestSource(): number {
  let newest = fs.statSync(PACKAGE_LOCK).mtimeMs;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  walk(WEB_DIR);
  return newest;
}

/** Whether the build is missing or older than any source (a fresh clone, a pulled change, an edit). */
export function webBuildIsStale(): boolean {
  if (!fs.existsSync(STAMP)) return true;
  return fs.statSync(STAMP).mtimeMs < newestSource();
}

/**
 * Bundles the console with esbuild: one ES module and one stylesheet under dist/assets, index.html beside
 * them. No inline script anywhere, so the page runs under `script-src 'self'`.
 */
export async function buildWebConsole(options: { minify?: boolean } = {}): Promise<void> {
  fs.rmSync(WEB_DIST, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { main: path.join(WEB_DIR, 'src', 'main.tsx') },
    outdir: path.join(WEB_DIST, 'assets'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: true,
    legalComments: 'linked',
    loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(WEB_DIR, 'index.html'), path.join(WEB_DIST, 'index.html'));
  fs.writeFileSync(STAMP, new Date().toISOString());
}

/** Builds when the build is missing or stale; says so, since a first build takes a few seconds. */
export async function ensureWebConsole(log: (message: string) => void = console.log): Promise<void> {
  if (!webBuildIsStale()) return;
  log('building web console…');
  await buildWebConsole();
  log(`web console built in ${path.relative(process.cwd(), WEB_DIST) || WEB_DIST}`);
}

// `node --import tsx web/build.ts` builds when stale; with --force it always builds.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const run = process.argv.includes('--force')
    ? buildWebConsole().then(() => console.log('web console built'))
    : ensureWebConsole();
  run.catch((error: unknown) => {
    console.error('web console build failed:', error);
    process.exit(1);
  });
}
