// npm run send -- <confgo|devops> <file.json> [--id <webhook-id>] [--curl]
// Signs a Juno event envelope with the source's local secret (Standard Webhooks) and posts it to the
// local junoevent started by `npm start`. --id repeats a delivery id (to see redelivery handling);
// --curl prints the equivalent curl command instead of sending.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { localSettings } from './local';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { id: { type: 'string' }, curl: { type: 'boolean', default: false } },
  });
  const [source, file] = positionals;
  if ((source !== 'confgo' && source !== 'devops') || file === undefined) {
    throw new Error('usage: npm run send -- <confgo|devops> <file.json> [--id <webhook-id>] [--curl]');
  }
  const settings = localSettings();
  const body = readFileSync(file, 'utf8');
  const id = values.id ?? `msg_${randomUUID()}`;
  const timestamp = new Date();
  const signature = new Webhook(settings.secrets[source]).sign(id, timestamp, body);
  const url = `http://localhost:${settings.port}/webhooks/${source}`;
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
  if (values.curl) {
    const flags = Object.entries(headers).map(([name, value]) => `-H '${name}: ${value}'`);
    console.log(`curl -sS -X POST ${url} ${flags.join(' ')} --data-binary @${file}`);
    return;
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  console.log(response.status, await response.text());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
