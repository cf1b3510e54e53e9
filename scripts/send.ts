// npm run send -- <sender> <file.json> [--event <name>] [--id <delivery-id>] [--read] [--curl]
// Posts the body to the local junoevent with the headers the real sender would add, signed with the
// credentials of the config the running instance serves. The instance is found through the state
// file npm start writes (PORT and JUNOEVENT_DATA_DIR override). --read then prints each stored
// event from GET /events/{id}; --curl prints an equivalent curl command instead of sending. Grafana
// and Alertmanager alerts are moved to the present (scripts/lib/alert-times.ts) unless --id is given.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../shared/config/config';
import { alertBody } from './lib/alert-times';
import { commandLine } from './lib/cli';
import { displayPath, locateInstance, networkReason } from './lib/instance';
import { functionEnvironment, localSettings, ROOT, withLocalSecrets } from './lib/local';
import { curlCommand, isSender, prepare, SENDERS } from './lib/senders';

const USAGE = [
  'usage: npm run send -- <sender> <file.json> [--event <name>] [--id <delivery-id>] [--read] [--curl]',
  '',
  ...Object.entries(SENDERS).map(([name, what]) => `  ${name.padEnd(15)} ${what}`),
  '',
  '  --event  the GitLab or GitHub event name (GitLab: from object_kind; GitHub: from the file name github_<event>…)',
  '  --id     the delivery id to use (send twice with the same id to see a redelivery answered as a duplicate);',
  '           alerts are sent with the times in the file, which otherwise move to now on every send',
  '  --read   print each stored event (GET /events/{id}) after sending',
  '  --curl   print the equivalent curl command instead of sending',
  '',
  'examples: npm run send -- confgo examples/confgo_file_publish.json --read',
  '          npm run send -- gitlab examples/gitlab_push.json',
].join('\n');

async function main(): Promise<number> {
  const line = commandLine('send', USAGE, {
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      event: { type: 'string' },
      read: { type: 'boolean', default: false },
      curl: { type: 'boolean', default: false },
    },
  });
  if (typeof line === 'number') return line;
  const { positionals, values } = line;
  const [sender, file] = positionals;
  if (!isSender(sender) || file === undefined || positionals.length > 2) {
    if (sender !== undefined && !isSender(sender)) console.error(`unknown sender ${JSON.stringify(sender)}\n`);
    console.error(USAGE);
    return 2;
  }

  const located = locateInstance();
  const settings = localSettings();
  const explicit = process.env.JUNOEVENT_CONFIG;
  const configFile = explicit ? resolve(explicit) : (located.configLoaded ?? resolve(ROOT, 'junoevent.toml'));
  const configName = displayPath(explicit ? resolve(explicit) : (located.state?.config ?? configFile));
  const config = withLocalSecrets(
    loadConfig({ file: configFile, env: { ...process.env, ...functionEnvironment(settings) } }),
    settings,
  );

  // npm runs scripts from the repository root; a path is relative to where npm was run.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  const now = new Date();
  const { body, notes } = alertBody(sender, readFileSync(path, 'utf8'), { id: values.id, curl: values.curl, now });
  for (const note of notes) console.error(`note: ${note}`);
  const outgoing = prepare(sender, body, config, {
    file: path,
    id: values.id,
    event: values.event,
    now,
    configName,
  });
  for (const note of outgoing.notes) console.error(`note: ${note}`);
  const url = `${located.url}${outgoing.route}`;

  if (values.curl) {
    printCurl(url, outgoing.headers, file, values.read ? located.url : undefined);
    return 0;
  }

  const response = await request(url, { method: 'POST', headers: outgoing.headers, body }, located.hint);
  const text = await response.text();
  console.log(response.status, text);
  const status = response.status >= 400 ? 1 : 0;
  if (!values.read || status !== 0) return status;

  return readBack(text, config.api.token, { configName, base: located.url, hint: located.hint });
}

/** Prints the curl command that sends the same request; with `readFrom`, how to read an event back. */
function printCurl(url: string, headers: Record<string, string>, file: string, readFrom: string | undefined): void {
  console.log(curlCommand(url, headers, file));
  if (Object.keys(headers).some((name) => /timestamp/i.test(name))) {
    console.error('note: the signature covers the time it was made: the command is accepted for 5 minutes');
  }
  if (readFrom !== undefined) {
    console.error(
      `note: read an event back with: curl -sS -H 'authorization: Bearer <API token>' ${readFrom}/events/<id from the answer>`,
    );
  }
}

/** Reads back and prints each event the answer named; 1 when one cannot be read. */
async function readBack(
  text: string,
  token: string | undefined,
  where: { configName: string; base: string; hint: string },
): Promise<number> {
  const answer = parseJson(text) as { events?: { id: number }[]; ignored?: string } | undefined;
  const ids = answer?.events?.map((event) => event.id) ?? [];
  if (ids.length === 0) {
    console.log(`nothing was stored, so nothing to read back${answer?.ignored ? ` (ignored: ${answer.ignored})` : ''}`);
    return 0;
  }
  if (token === undefined)
    throw new Error(`cannot read the events back: ${where.configName} sets no junoevent.api.token`);
  let status = 0;
  for (const id of ids) {
    const readUrl = `${where.base}/events/${id}`;
    const read = await request(readUrl, { headers: { authorization: `Bearer ${token}` } }, where.hint);
    const record = await read.text();
    console.log(`GET ${readUrl} → ${read.status}`);
    console.log(JSON.stringify(parseJson(record) ?? record, null, 2));
    if (read.status !== 200) status = 1;
  }
  return status;
}

/** fetch, with a failure that names the URL it tried and what to do about it. */
async function request(url: string, init: RequestInit, hint: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new Error(`cannot reach junoevent at ${url} (${networkReason(error)}): ${hint}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
