// The webhook functions' routes: each a sender family over the recording pipeline, with its
// source's credentials, its publishes counted for its own function. Each is a function of its own,
// so a webhook's bundle holds its own family and no other.

import { requireSource } from '../config/config';
import type { Config } from '../config/types';
import type { Source } from '../event/catalog';
import { measuredPublisher } from '../publishing/measured';
import { envelopeFamily } from '../sources/envelope/family';
import { gitFamily } from '../sources/git/family';
import { grafanaFamily } from '../sources/grafana/family';
import { type WebhookDeps, webhookRoute } from '../sources/pipeline';
import { type Runtime, withCredentials } from './assemble';

const source =
  <S extends Source>(name: S) =>
  (config: Config) =>
    requireSource(config, name);

/** What every webhook route needs from the runtime; its publishes are counted for the webhook's function. */
function webhookDeps({ config, store, logger, now, publisher, metrics }: Runtime, source: Source): WebhookDeps {
  const measured = publisher && measuredPublisher(publisher, source, metrics, now);
  return { store, now, logger, publisher: measured, metadataBudget: config.metadataBudget, metrics };
}

export const confgoRoute = (runtime: Runtime) =>
  webhookRoute(
    envelopeFamily('confgo'),
    withCredentials(runtime, 'confgo', source('confgo')),
    webhookDeps(runtime, 'confgo'),
  );

export const devopsRoute = (runtime: Runtime) =>
  webhookRoute(
    envelopeFamily('devops'),
    withCredentials(runtime, 'devops', source('devops')),
    webhookDeps(runtime, 'devops'),
  );

export const grafanaRoute = (runtime: Runtime) =>
  webhookRoute(grafanaFamily, withCredentials(runtime, 'grafana', source('grafana')), webhookDeps(runtime, 'grafana'));

export const gitRoute = (runtime: Runtime) =>
  webhookRoute(gitFamily, withCredentials(runtime, 'git', source('git')), webhookDeps(runtime, 'git'));
