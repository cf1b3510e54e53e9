// The built bundles: with publishing off, a webhook bundle holds none of the RocketMQ client, which
// is a bundle of its own loaded only when publishing is on; the page's files are another, loaded
// only by the page function.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFunctions, FUNCTIONS } from '../../scripts/lib/bundle';

describe('bundles', () => {
  it('keep the RocketMQ client and the page’s files out of every function bundle, each in a bundle of its own', async () => {
    const out = mkdtempSync(join(tmpdir(), 'junoevent-bundles-'));
    const metafile = await buildFunctions(out);
    const rocketmq = readFileSync(join(out, 'rocketmq.js'), 'utf8');
    // The client's gRPC service name and its grpc-js dependency mark its code.
    const markers = ['apache.rocketmq.v2', 'grpc.max_receive_message_length'];
    for (const marker of markers) expect(rocketmq).toContain(marker);
    for (const name of FUNCTIONS) {
      const code = readFileSync(join(out, `${name}.js`), 'utf8');
      for (const marker of markers) expect(code, `${name}.js holds ${marker}`).not.toContain(marker);
      expect(code).toContain('./rocketmq.js');
      const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(`/${name}.js`))?.[1];
      expect(output, `${name}.js in the build's metafile`).toBeDefined();
      const inputs = Object.keys(output?.inputs ?? {});
      expect(inputs.some((input) => input.includes('shared/runtime.ts'))).toBe(true);
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
});
