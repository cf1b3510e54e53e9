// What `npm start` prints once its routes answer: the routes (from serverless.yml) with the
// credential each one takes in the loaded config, where the token, secrets, config and data are,
// whether events are published, and commands that work as printed.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Config } from '../../shared/config/types';
import { isPlainObject } from '../../shared/json';
import { displayPath, type InstanceState } from './instance';
import { DEFAULT_DATA_DIR, ROOT } from './local';
import { answers } from './net';
import { headerCase } from './senders';

export interface Route {
  method: string;
  path: string;
  function: string;
}

/** The HTTP API routes of serverless.yml, in file order. */
export function httpRoutes(file = resolve(ROOT, 'serverless.yml')): Route[] {
  const document: unknown = parse(readFileSync(file, 'utf8'));
  const functions = isPlainObject(document) && isPlainObject(document.functions) ? document.functions : {};
  const routes: Route[] = [];
  for (const [name, definition] of Object.entries(functions)) {
    const events = isPlainObject(definition) && Array.isArray(definition.events) ? definition.events : [];
    for (const event of events) {
      const api = isPlainObject(event) && isPlainObject(event.httpApi) ? event.httpApi : undefined;
      if (typeof api?.method === 'string' && typeof api.path === 'string') {
        routes.push({ method: api.method.toUpperCase(), path: api.path, function: name });
      }
    }
  }
  return routes;
}

/** The credential a route takes with this config. */
export function credentialOf(name: string, config: Config): string {
  const { sources } = config;
  switch (name) {
    case 'confgo':
    case 'devops': {
      const source = sources[name];
      if (source === undefined) return `no [junoevent.sources.${name}] in the config: refused`;
      return source.secret === undefined ? 'unsigned (allowUnsigned)' : 'Standard Webhooks signature';
    }
    case 'grafana': {
      const grafana = sources.grafana;
      if (grafana === undefined) return 'no [junoevent.sources.grafana] in the config: refused';
      const ways = [
        grafana.secret === undefined
          ? undefined
          : `${headerCase(grafana.signatureHeader)} HMAC${grafana.timestampHeader ? ` + ${headerCase(grafana.timestampHeader)}` : ''}`,
        grafana.token === undefined ? undefined : 'Bearer token',
        grafana.basic === undefined ? undefined : 'Basic credentials',
      ].filter((way) => way !== undefined);
      return ways.length === 0 ? 'unsigned (allowUnsigned)' : ways.join(' or ');
    }
    case 'git': {
      const git = sources.git;
      if (git === undefined) return 'no [junoevent.sources.git] in the config: refused';
      const ways = [
        git.secret === undefined ? undefined : 'X-Gitlab-Token or X-Hub-Signature-256',
        git.signingSecret === undefined ? undefined : 'GitLab webhook-signature',
      ].filter((way) => way !== undefined);
      return ways.length === 0 ? 'unsigned (allowUnsigned)' : ways.join(' or ');
    }
    case 'events':
      return config.api.token === undefined
        ? 'no junoevent.api.token in the config: refused'
        : 'Authorization: Bearer <API token>';
    default:
      return '';
  }
}

/** One line on publishing: off, or on to which topic and broker, and whether the broker answers. */
export function publishingLine(config: Config, brokerAnswers: boolean | undefined): string {
  const { rocketmq } = config;
  if (!rocketmq.enable) return 'off (junoevent.rocketmq.enable = false): events are only stored';
  const where = `topic ${rocketmq.topic} via ${rocketmq.addr.join(', ')}`;
  return brokerAnswers
    ? `on, ${where} (the broker answers)`
    : `on, ${where}: nothing answers there; events are stored and stay pending until the broker is up (npm run broker starts one)`;
}

/** With publishing on: whether any configured broker endpoint accepts a TCP connection. */
export async function brokerAnswers(config: Config): Promise<boolean | undefined> {
  if (!config.rocketmq.enable) return undefined;
  const checks = config.rocketmq.addr.map((endpoint) => {
    const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(endpoint);
    return match?.[1] && match[2] ? answers(match[1], Number(match[2]), 1000) : Promise.resolve(false);
  });
  return (await Promise.all(checks)).some(Boolean);
}

/** The prefix that makes a local script find this instance: its data folder when not the default. */
export function commandPrefix(dataDir: string): string {
  return dataDir === DEFAULT_DATA_DIR ? '' : `JUNOEVENT_DATA_DIR=${displayPath(dataDir)} `;
}

/** What the page function's routes are, for a person: the page itself, its files, the contract. */
const PAGE_ROUTES: Readonly<Record<string, string>> = {
  '/': 'the events page: open it in a browser (it asks for the API token)',
  '/openapi.json': 'the API contract (OpenAPI 3.1)',
};

export function banner(state: InstanceState, config: Config, brokerAnswers: boolean | undefined): string {
  // The page's script and style are served with it; they need no line of their own.
  const routes = httpRoutes().filter((route) => route.function !== 'page' || route.path in PAGE_ROUTES);
  const width = Math.max(...routes.map((route) => route.path.length));
  const prefix = commandPrefix(state.data_dir);
  return [
    '',
    `junoevent is running at ${state.url} (pid ${state.pid})`,
    ...routes.map(
      (route) =>
        `  ${route.method.padEnd(4)} ${route.path.padEnd(width)}  ${PAGE_ROUTES[route.path] ?? credentialOf(route.function, config)}`,
    ),
    `  API token:   ${state.api_token ?? '(none: the config sets no junoevent.api.token)'}`,
    `  Secrets:     ${displayPath(state.secrets_file)}`,
    `  Config:      ${displayPath(state.config)} (saving it reloads the functions; an invalid edit is reported and not used)`,
    `  Publishing:  ${publishingLine(config, brokerAnswers)}`,
    `  DynamoDB:    ${state.dynamodb_endpoint}, data in ${displayPath(resolve(state.data_dir, 'dynamodb'))}`,
    `  State:       ${displayPath(resolve(state.data_dir, 'instance.json'))} (npm run send and npm run redrive find this instance there)`,
    `  Try:         ${prefix}npm run send -- confgo examples/confgo_file_publish.json --read`,
    `               ${prefix}npm run send -- --help    (gitlab, github, grafana, alertmanager, grafana-legacy)`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}
