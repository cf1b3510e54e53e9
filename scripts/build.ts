// npm run build: bundles each function into dist/<name>.js (scripts/lib/bundle.ts) and prints the sizes.

import { buildFunctions } from './lib/bundle';

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
