// Bundles each function in functions/ into dist/<name>.js: one minified CommonJS file per function,
// for Node 20 (the code that runs locally is the code that runs in Lambda).

import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

const ROOT = resolve(__dirname, '..');

export const FUNCTIONS = readdirSync(resolve(ROOT, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();

export async function buildFunctions(outdir = resolve(ROOT, 'dist')): Promise<Metafile> {
  const result = await build({
    entryPoints: FUNCTIONS.map((name) => resolve(ROOT, 'functions', `${name}.ts`)),
    outdir,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

if (require.main === module) {
  buildFunctions()
    .then((metafile) => {
      for (const [file, output] of Object.entries(metafile.outputs)) {
        console.log(`${file}  ${(output.bytes / 1024).toFixed(1)} KiB`);
      }
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
