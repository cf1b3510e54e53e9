// Bundling: each function in functions/ into dist/<name>.js: one minified CommonJS file per function,
// for Node 20 (the code that runs locally is the code that runs in Lambda).

import { readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { PAGE_SCRIPT_MODULE, pageScriptModule } from './page-script.mts';

const ROOT = resolve(__dirname, '..', '..');

export const FUNCTIONS = readdirSync(resolve(ROOT, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();

/**
 * Modules loaded on first use only, each a bundle of its own that the function bundles require at
 * run time: the RocketMQ publisher (dist/rocketmq.js), loaded only when publishing is enabled, so with
 * it off none of the client's code is loaded or even parsed; and the page's files with the OpenAPI
 * document (dist/page-files.js), which only the page function serves; and the Secrets Manager client
 * (dist/secrets-manager.js), loaded on a function's first read of its run-time secret.
 */
const LAZY_BUNDLES = [
  { importer: /[\\/]shared[\\/]publishing[\\/]publisher\.ts$/, specifier: './rocketmq', bundle: 'rocketmq' },
  { importer: /[\\/]shared[\\/]page[\\/]route\.ts$/, specifier: './files', bundle: 'page-files' },
  { importer: /[\\/]shared[\\/]config[\\/]secrets\.ts$/, specifier: './secrets-manager', bundle: 'secrets-manager' },
] as const;

const lazyBundlesAsSeparateFiles: Plugin = {
  name: 'lazy-bundles-as-separate-files',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/(rocketmq|files|secrets-manager)$/ }, (args) => {
      const lazy = LAZY_BUNDLES.find((entry) => entry.specifier === args.path && entry.importer.test(args.importer));
      return lazy === undefined ? undefined : { path: `./${lazy.bundle}.js`, external: true };
    });
  },
};

/** The page's script, bundled for the browser from shared/page/browser/ (scripts/page-script.mts). */
const pageScript: Plugin = {
  name: 'page-script',
  setup(builder) {
    builder.onResolve({ filter: /^virtual:page-script$/ }, () => ({
      path: PAGE_SCRIPT_MODULE,
      namespace: 'page-script',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'page-script' }, async () => ({
      contents: await pageScriptModule(),
      loader: 'js',
    }));
  },
};

/** The client reads its own package.json at load time, which does not exist in a bundle. */
const inlineClientVersion: Plugin = {
  name: 'inline-rocketmq-client-version',
  setup(builder) {
    const pkg: unknown = JSON.parse(
      readFileSync(resolve(ROOT, 'node_modules/rocketmq-client-nodejs/package.json'), 'utf8'),
    );
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
    builder.onLoad({ filter: /rocketmq-client-nodejs[\\/]dist[\\/]client[\\/]UserAgent\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const pattern =
        /JSON\.parse\(\(0, node_fs_1\.readFileSync\)\([^;]*?'\.\.\/\.\.\/package\.json'[^;]*\)\)\.version/;
      if (!pattern.test(source))
        throw new Error(`${args.path} no longer reads package.json as expected: update the build`);
      return { contents: source.replace(pattern, JSON.stringify(version)), loader: 'js' };
    });
  },
};

export async function buildFunctions(outdir = resolve(ROOT, 'dist')): Promise<Metafile> {
  return bundle(
    {
      ...Object.fromEntries(FUNCTIONS.map((name) => [name, resolve(ROOT, 'functions', `${name}.ts`)])),
      rocketmq: resolve(ROOT, 'shared', 'publishing', 'rocketmq.ts'),
      'page-files': resolve(ROOT, 'shared', 'page', 'files.ts'),
      'secrets-manager': resolve(ROOT, 'shared', 'config', 'secrets-manager.ts'),
    },
    outdir,
  );
}

/** Bundles entry points with the Lambda settings (also used for the benchmark's baselines). */
export async function bundle(entryPoints: Record<string, string>, outdir: string): Promise<Metafile> {
  const result = await build({
    entryPoints,
    plugins: [lazyBundlesAsSeparateFiles, pageScript, inlineClientVersion],
    alias: {
      '@node-rs/crc32': './scripts/lib/shims/crc32.ts',
      'egg-logger': './scripts/lib/shims/egg-logger.ts',
    },
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
