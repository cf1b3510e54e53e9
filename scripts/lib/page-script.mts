// The events page's script (app.js): shared/page/browser/ bundled for the browser, minified, as one
// string. The page's files import it as the module `virtual:page-script`, which the function build
// (scripts/build.ts) and the test runner (vitest.config.mts) both provide from here, so the tests
// serve the same script as a deployment without a build step before them.

import { resolve } from 'node:path';
import { build } from 'esbuild';

export const PAGE_SCRIPT_MODULE = 'virtual:page-script';

const ENTRY = resolve(import.meta.dirname, '..', '..', 'shared', 'page', 'browser', 'main.ts');

/** The script as served: one immediately-invoked function, strict, with nothing fetched from elsewhere. */
export async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined || result.outputFiles.length !== 1) throw new Error(`bundling ${ENTRY} gave no one script`);
  return output.text;
}

/** The source of the `virtual:page-script` module. */
export async function pageScriptModule(): Promise<string> {
  return `export const PAGE_SCRIPT = ${JSON.stringify(await bundlePageScript())};\n`;
}
