// Builds the shipped widget in static/ from src/: the core (a classic script, IIFE), the lazy
// tour chunk (an ES module the core import()s) and the stylesheet, each minified with a source
// map. Deterministic: the same source gives the same bytes, which tests/test_widget_build.py
// checks against the committed static/.
//
//   node widget/build.mjs              writes static/
//   node widget/build.mjs --out DIR    writes the same bytes into DIR (the maps still point
//                                      at widget/src, as seen from static/)

import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const STATIC = resolve(here, '..', 'static');
const BANNER = '/* onboarding_sdk widget: built by widget/build.mjs from widget/src; do not edit. */';

// Browsers with the Popover API (Chrome 114, Safari 17, Firefox 125): the widget needs it anyway.
const TARGET = ['chrome114', 'edge114', 'firefox125', 'safari17'];

const common = {
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  sourcesContent: true,
  target: TARGET,
  banner: { js: BANNER, css: BANNER },
  legalComments: 'none',
  charset: 'utf8',
  write: false,
  absWorkingDir: here,
  logLevel: 'warning',
};

const builds = [
  { entryPoints: ['src/core.js'], outfile: join(STATIC, 'onboarding.js'), format: 'iife' },
  { entryPoints: ['src/tour/index.js'], outfile: join(STATIC, 'onboarding-tour.js'), format: 'esm' },
  { entryPoints: ['src/float/index.js'], outfile: join(STATIC, 'onboarding-float.js'), format: 'esm' },
  { entryPoints: ['src/centre/index.js'], outfile: join(STATIC, 'onboarding-centre.js'), format: 'esm' },
  { entryPoints: ['src/lease.js'], outfile: join(STATIC, 'onboarding-lease.js'), format: 'esm' },
  { entryPoints: ['src/onboarding.css'], outfile: join(STATIC, 'onboarding.css') },
];

/** Builds every file; returns {file name: bytes}. */
export async function build() {
  const files = {};
  for (const options of builds) {
    const result = await esbuild.build({ ...common, ...options });
    for (const file of result.outputFiles) files[basename(file.path)] = file.contents;
  }
  return files;
}

async function main() {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? resolve(process.argv[at + 1]) : STATIC;
  await mkdir(out, { recursive: true });
  const files = await build();
  for (const [name, contents] of Object.entries(files)) await writeFile(join(out, name), contents);
  console.log(`wrote ${Object.keys(files).sort().join(', ')} to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) == fileURLToPath(import.meta.url)) await main();
