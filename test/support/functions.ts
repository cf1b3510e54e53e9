// Loads the real function handlers against an in-process dynalite, for one test file: registers
// the lifecycle hooks and hands back the table and handlers.

import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TEST_CONFIG, useFunctionEnv } from './config';
import { startTestTable, type TestTable } from './dynamo';
import type { Handler } from './http';

const LOADERS = {
  confgo: () => import('../../functions/confgo'),
  devops: () => import('../../functions/devops'),
  grafana: () => import('../../functions/grafana'),
  git: () => import('../../functions/git'),
  events: () => import('../../functions/events'),
  page: () => import('../../functions/page'),
};

type FunctionName = keyof typeof LOADERS;

export interface FunctionsUnderTest {
  /** The current table; valid inside tests and hooks. */
  table: Pick<TestTable, 'items' | 'events' | 'marks' | 'clear'>;
  handlers: Record<FunctionName, Handler>;
}

export function useFunctions(options: { clearEach?: boolean; config?: string } = {}): FunctionsUnderTest {
  let current: TestTable | undefined;
  const loaded: Partial<Record<FunctionName, Handler>> = {};
  const table = () => {
    if (current === undefined) throw new Error('the test table is not started yet');
    return current;
  };

  beforeAll(async () => {
    current = await startTestTable();
    useFunctionEnv(current.endpoint, options.config ?? TEST_CONFIG);
    for (const [name, load] of Object.entries(LOADERS)) {
      loaded[name as FunctionName] = (await load()).handler;
    }
  });
  afterAll(async () => {
    await current?.close();
  });
  if (options.clearEach ?? true) {
    beforeEach(async () => {
      await table().clear();
    });
  }

  const handler =
    (name: FunctionName): Handler =>
    (event, context) => {
      const found = loaded[name];
      if (found === undefined) throw new Error(`function ${name} is not loaded yet`);
      return found(event, context);
    };
  return {
    table: {
      items: () => table().items(),
      events: () => table().events(),
      marks: () => table().marks(),
      clear: () => table().clear(),
    },
    handlers: {
      confgo: handler('confgo'),
      devops: handler('devops'),
      grafana: handler('grafana'),
      git: handler('git'),
      events: handler('events'),
      page: handler('page'),
    },
  };
}
