// The built bundles: with publishing off, a webhook bundle holds none of the RocketMQ client, which
// is a bundle of its own loaded only when publishing is on; the page's files are another, loaded
// only by the page function. Each function's bundle holds only what that function runs.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, FUNCTIONS } from '../../scripts/lib/bundle';

const WEBHOOKS = ['confgo', 'devops', 'grafana', 'git'];

/** The inputs esbuild put into dist/<name>.js. */
function inputsOf(metafile: Metafile, name: string): string[] {
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(`/${name}.js`))?.[1];
  expect(output, `${name}.js in the build's metafile`).toBeDefined();
  return Object.keys(output?.inputs ?? {});
}

/** The inputs of `inputs` under any of `prefixes` (shared/ paths, or package names). */
function under(inputs: string[], prefixes: string[]): string[] {
  return inputs.filter((input) =>
    prefixes.some((prefix) => input.startsWith(prefix) || input.includes(`node_modules/${prefix}/`)),
  );
}

describe('bundles', () => {
  let metafile: Metafile;
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'junoevent-bundles-'));
    metafile = await buildFunctions(out);
  });

  it('keep the RocketMQ client and the page’s files out of every function bundle, each in a bundle of its own', async () => {
    const rocketmq = readFileSync(join(out, 'rocketmq.js'), 'utf8');
    // The client's gRPC service name and its grpc-js dependency mark its code.
    const markers = ['apache.rocketmq.v2', 'grpc.max_receive_message_length'];
    for (const marker of markers) expect(rocketmq).toContain(marker);
    for (const name of FUNCTIONS) {
      const code = readFileSync(join(out, `${name}.js`), 'utf8');
      for (const marker of markers) expect(code, `${name}.js holds ${marker}`).not.toContain(marker);
      // Every function that publishes loads the client from its own bundle; the page never publishes.
      if (name !== 'page') expect(code).toContain('./rocketmq.js');
      const inputs = inputsOf(metafile, name);
      expect(inputs).toContain('shared/runtime/base.ts');
      expect(inputs.filter((input) => input.includes('rocketmq-client-nodejs'))).toEqual([]);
      // The page's files and the OpenAPI document are in page-files.js alone, loaded by the page function.
      expect(
        inputs.filter((input) => /shared\/page\/(assets|files|browser\/.*)\.ts|openapi\.json/.test(input)),
      ).toEqual([]);
    }
    const pageFiles = Object.entries(metafile.outputs).find(([file]) => file.endsWith('/page-files.js'))?.[1];
    expect(Object.keys(pageFiles?.inputs ?? {}).sort()).toEqual([
      'openapi.json',
      'page-script:virtual:page-script',
      'shared/page/assets.ts',
      'shared/page/files.ts',
    ]);
    expect(readFileSync(join(out, 'page.js'), 'utf8')).toContain('./page-files.js');
  });

  it('keep the Secrets Manager client in a bundle of its own, loaded by the functions that read a secret', () => {
    const secrets = Object.entries(metafile.outputs).find(([file]) => file.endsWith('/secrets-manager.js'))?.[1];
    expect(Object.keys(secrets?.inputs ?? {}).some((input) => input.includes('client-secrets-manager'))).toBe(true);
    for (const name of FUNCTIONS) {
      const inputs = inputsOf(metafile, name);
      expect(
        inputs.filter((input) => input.includes('client-secrets-manager')),
        name,
      ).toEqual([]);
      const loads = readFileSync(join(out, `${name}.js`), 'utf8').includes('./secrets-manager.js');
      expect(loads, name).toBe(name !== 'page');
    }
  });

  it('hold only what their function runs: no bundle holds another function’s part', () => {
    expect(FUNCTIONS).toEqual(expect.arrayContaining([...WEBHOOKS, 'events', 'page', 'redrive', 'replay']));
    for (const name of FUNCTIONS) {
      // Only the whole set's composition, for the tests and scripts, puts every part together.
      expect(inputsOf(metafile, name), name).not.toContain('shared/runtime.ts');
    }
    // The page serves files: no table client, no store, no secrets, no publishing.
    const page = inputsOf(metafile, 'page');
    expect(under(page, ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager', '@smithy'])).toEqual([]);
    expect(under(page, ['shared/store/', 'shared/publishing/', 'shared/config/secrets.ts'])).toEqual([]);
    expect(page).toContain('shared/page/route.ts');
    for (const name of WEBHOOKS) {
      const inputs = inputsOf(metafile, name);
      expect(
        under(inputs, ['shared/page/', 'shared/read-api/', 'shared/publishing/replay', 'shared/publishing/redrive']),
        name,
      ).toEqual([]);
      expect(inputs, name).toContain('shared/sources/pipeline.ts');
    }
    // A webhook holds its own sender family and no other.
    expect(under(inputsOf(metafile, 'confgo'), ['shared/sources/git/', 'shared/sources/grafana/family.ts'])).toEqual(
      [],
    );
    const events = inputsOf(metafile, 'events');
    expect(under(events, ['shared/sources/', 'shared/page/', 'shared/publishing/re'])).toEqual([]);
    expect(events).toContain('shared/read-api/route.ts');
    for (const name of ['redrive', 'replay']) {
      const inputs = inputsOf(metafile, name);
      expect(under(inputs, ['shared/sources/', 'shared/page/', 'shared/read-api/', 'shared/http/']), name).toEqual([]);
    }
    expect(inputsOf(metafile, 'redrive')).not.toContain('shared/publishing/replay.ts');
    expect(inputsOf(metafile, 'replay')).not.toContain('shared/publishing/redrive.ts');
  });
});
