// A Serverless Framework plugin of this repository: builds the function bundles (scripts/build.ts)
// whenever the framework packages, so `osls package` and `osls deploy` ship working code from a
// clean tree with no other step. `npm start` builds by itself and skips this.

const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

class BuildFunctions {
  constructor(serverless) {
    const root = serverless.config.servicePath;
    const build = () => {
      serverless.cli.log('junoevent: building the function bundles (scripts/build.ts)');
      execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/build.ts')], {
        cwd: root,
        stdio: 'inherit',
      });
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': build,
      'before:deploy:function:packageFunction': build,
    };
  }
}

module.exports = BuildFunctions;
