import { defineConfig, type Plugin } from 'vitest/config';
import { PAGE_SCRIPT_MODULE, pageScriptModule } from './scripts/lib/page-script.mts';

/** The page's script, bundled as the function build bundles it (scripts/lib/page-script.mts). */
const pageScript: Plugin = {
  name: 'page-script',
  resolveId: (id) => (id === PAGE_SCRIPT_MODULE ? `\0${PAGE_SCRIPT_MODULE}` : undefined),
  load: (id) => (id === `\0${PAGE_SCRIPT_MODULE}` ? pageScriptModule() : undefined),
};

export default defineConfig({
  plugins: [pageScript],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // expect.poll waits for a condition (a page's rows, a stored item) up to this long, not a fixed time.
    expect: { poll: { timeout: 10_000 } },
    // Some files build dist/ and start serverless-offline (and a browser); on two cores, files run one at a time.
    fileParallelism: false,
    env: {
      JUNOEVENT_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    },
  },
});
