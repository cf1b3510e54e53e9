// Bundles each function in functions/ into dist/<name>.js: one minified CommonJS file per function,
// for Node 20 (the code that runs locally is the code that runs in Lambda).

import { readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

const ROOT = resolve(__dirname, '..');

export const FUNCTIONS = readdirSync(resolve(ROOT, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();

/**
 * The RocketMQ publisher is its own bundle, dist/rocketmq.js, required by the function bundles only
 * when publishing is enabled: with it off, none of the client's code is loaded or even parsed.
 */
const publisherAsSeparateBundle: Plugin = {
  name: 'publisher-as-separate-bundle',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/rocketmq$/ }, (args) =>
      /[\\/]shared[\\/]publishing[\\/]publisher\.ts$/.test(args.importer)
        ? { path: './rocketmq.js', external: true }
        : undefined,
    );
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
    },
    outdir,
  );
}

/** Bundles entry points with the Lambda settings (also used for the benchmark's baselines). */
export async function bundle(entryPoints: Record<string, string>, outdir: string): Promise<Metafile> {
  const result = await build({
    entryPoints,
    plugins: [publisherAsSeparateBundle, inlineClientVersion],
    alias: {
      '@node-rs/crc32': './scripts/shims/crc32.ts',
      'egg-logger': './scripts/shims/egg-logger.ts',
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
