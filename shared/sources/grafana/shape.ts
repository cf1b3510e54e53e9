// Shaping Grafana unified alerting, Prometheus Alertmanager and legacy Grafana alert notifications
// into events. Pure: no I/O. Unified and Alertmanager give one event per alert; legacy one per
// notification.

import type { LabelMapping } from '../../config/types';
import { sha256Base64url, sha256Hex } from '../../crypto';
import { FieldError } from '../../errors';
import { fitMetadata } from '../../event/metadata';
import { EARLIEST_SENDER_TIME, MAX_FUTURE_SKEW_SECONDS, recordName, type ShapedEvent } from '../../event/record';
import { ObjectReader, readStringMap } from '../../json';
import { cutText } from '../../text';

type AlertFormat = 'grafana' | 'alertmanager' | 'grafana-legacy';

export interface AlertContext {
  labels: LabelMapping;
  metadataBudget: number;
  nowSeconds: number;
  rawBody: string;
}

const MAX_HOSTS = 16 * 1024;
/** Notification-wide strings copied into each alert's metadata are cut to this many characters. */
const MAX_SHARED_CHARS = 1024;
/**
 * A legacy Grafana alert carries no time or id, so its delivery key is the body: the same body
 * within this window is a retry; after it, a new episode of the same alert.
 */
const LEGACY_REDELIVERY_WINDOW_SECONDS = 10 * 60;

const EXPECTED =
  'a Grafana unified alerting notification (version "1"), a Prometheus Alertmanager notification (version "4") or a legacy Grafana alert (ruleId, evalMatches)';

function alertFormat(body: unknown): AlertFormat {
  const notification = ObjectReader.of(body, '');
  const version = notification.raw('version');
  if (Array.isArray(notification.raw('alerts')) && (version === '1' || version === '4')) {
    return version === '1' ? 'grafana' : 'alertmanager';
  }
  if (notification.has('ruleId') || notification.has('evalMatches')) return 'grafana-legacy';
  throw new FieldError('version', EXPECTED, version);
}

export function shapeAlerts(body: unknown, context: AlertContext): ShapedEvent[] {
  const format = alertFormat(body);
  return format === 'grafana-legacy' ? [shapeLegacy(body, context)] : shapeNotification(format, body, context);
}

function shapeNotification(format: AlertFormat, body: unknown, context: AlertContext): ShapedEvent[] {
  const notification = ObjectReader.of(body, '');
  const receiver = notification.optionalString('receiver') ?? '';
  // What the notification says of all its alerts, bounded: an alert's stored metadata must not grow
  // with its notification (the common labels and annotations are each alert's own anyway).
  const alerts = notification.raw('alerts');
  if (!Array.isArray(alerts) || alerts.length === 0) {
    throw new FieldError('alerts', 'an array of one or more alerts', alerts);
  }
  const shared = {
    // How many alerts the notification grouped (with those it left out), so one alert's event says so.
    alertCount: alerts.length + (notification.optionalInteger('truncatedAlerts') ?? 0),
    receiver: cutText(receiver, MAX_SHARED_CHARS),
    groupKey: cutText(notification.optionalString('groupKey') ?? '', MAX_SHARED_CHARS),
    externalURL: cutText(notification.optionalString('externalURL') ?? '', MAX_SHARED_CHARS),
    ...(notification.has('orgId') ? { orgId: notification.optionalInteger('orgId') } : {}),
  };
  return alerts.map((item, index) => {
    const alert = ObjectReader.of(item, `alerts.${index}`);
    const status = alert.string('status');
    if (status !== 'firing' && status !== 'resolved') {
      throw new FieldError(alert.at('status'), '"firing" or "resolved"', status);
    }
    const labels = readStringMap(alert, 'labels');
    const annotations = readStringMap(alert, 'annotations');
    const startsAt = alert.string('startsAt', { max: 64 });
    const endsAt = alert.optionalString('endsAt', { max: 64 }) ?? '';
    const fingerprint = alert.optionalString('fingerprint', { max: 128 }) ?? labelsFingerprint(labels);
    const optional: Record<string, unknown> = {};
    for (const key of ['generatorURL', 'silenceURL', 'dashboardURL', 'panelURL', 'imageURL', 'valueString']) {
      const value = alert.optionalString(key);
      if (value !== undefined && value !== '') optional[key] = value;
    }
    if (alert.has('values')) optional.values = readValues(alert);
    const metadata = {
      format,
      status,
      labels,
      annotations,
      startsAt,
      endsAt,
      fingerprint,
      ...optional,
      ...shared,
    };
    const identity = identityOf(labels, context.labels);
    return {
      draft: {
        ...identity,
        operator_type: 'openapi',
        user_name: recordName(receiver),
        uid: 0,
        operation: 'grafana_alert_notification',
        create_time: eventTime(status === 'firing' ? startsAt : endsAt, context.nowSeconds),
        source: 'grafana',
        metadata: fitMetadata(metadata, context.metadataBudget, {
          keep: ['format', 'status', 'fingerprint', 'startsAt', 'endsAt', 'receiver'],
          summary: { format, status, alertname: labels.alertname, fingerprint, startsAt, endsAt, labels },
        }),
      },
      deliveryKey: `alert:${fingerprint}:${status}:${startsAt}`,
    };
  });
}

function shapeLegacy(body: unknown, context: AlertContext): ShapedEvent {
  const alert = ObjectReader.of(body, '');
  const state = alert.string('state', { max: 32 });
  if (!['ok', 'paused', 'alerting', 'pending', 'no_data'].includes(state)) {
    throw new FieldError('state', 'one of ok, paused, alerting, pending, no_data', state);
  }
  alert.optionalInteger('ruleId');
  const evalMatches = alert.has('evalMatches') ? alert.raw('evalMatches') : undefined;
  if (evalMatches !== undefined && !Array.isArray(evalMatches)) {
    throw new FieldError('evalMatches', 'an array', evalMatches);
  }
  const tags = readStringMap(alert, 'tags');
  const legacy: Record<string, unknown> = { format: 'grafana-legacy' };
  for (const key of [
    'title',
    'ruleId',
    'ruleName',
    'state',
    'message',
    'ruleUrl',
    'imageUrl',
    'orgId',
    'dashboardId',
    'panelId',
  ]) {
    if (alert.has(key)) legacy[key] = alert.raw(key);
  }
  legacy.tags = tags;
  legacy.evalMatches = evalMatches ?? [];
  return {
    draft: {
      ...identityOf(tags, context.labels),
      operator_type: 'openapi',
      user_name: '',
      uid: 0,
      operation: 'grafana_alert_notification',
      create_time: context.nowSeconds,
      source: 'grafana',
      metadata: fitMetadata(legacy, context.metadataBudget, {
        keep: ['format', 'state', 'ruleId', 'ruleName', 'title'],
        trim: 'evalMatches',
        summary: {
          format: 'grafana-legacy',
          state,
          ruleId: legacy.ruleId,
          ruleName: legacy.ruleName,
          title: legacy.title,
        },
      }),
    },
    deliveryKey: `legacy:${sha256Base64url(context.rawBody)}`,
    redeliveryWindowSeconds: LEGACY_REDELIVERY_WINDOW_SECONDS,
  };
}

function readValues(alert: ObjectReader): Record<string, number | null> {
  const values = alert.child('values');
  const out: Record<string, number | null> = {};
  for (const key of values?.keys() ?? []) {
    const value = values?.raw(key);
    if (value !== null && typeof value !== 'number') throw new FieldError(values?.at(key) ?? key, 'a number', value);
    out[key] = value ?? null;
  }
  return out;
}

interface Identity {
  app_name: string;
  aid: number;
  env: string;
  zone_code: string;
  host_name: string;
}

/** The identity fields from the first configured label that is present and not empty. */
function identityOf(labels: Record<string, string>, mapping: LabelMapping): Identity {
  // A label longer than the record keeps is cut there; the labels in metadata keep it whole.
  const pick = (names: readonly string[]) => {
    const name = names.find((candidate) => Object.hasOwn(labels, candidate) && labels[candidate] !== '');
    return name === undefined ? '' : (labels[name] ?? '');
  };
  const aidText = pick(mapping.aid);
  const aid = /^\d{1,15}$/.test(aidText) ? Number(aidText) : 0;
  return {
    app_name: recordName(pick(mapping.app_name)),
    aid,
    env: recordName(pick(mapping.env)),
    zone_code: recordName(pick(mapping.zone_code)),
    host_name: cutText(pick(mapping.host_name), MAX_HOSTS),
  };
}

/**
 * The event's time from the sender's: Grafana and Alertmanager mark a firing alert's end with the
 * zero time, and a clock can be wrong. A time before 2000 or more than MAX_FUTURE_SKEW_SECONDS ahead
 * of ours means "now" (the sender's own time stays in metadata).
 */
function eventTime(text: string, nowSeconds: number): number {
  const seconds = Math.floor(Date.parse(text) / 1000);
  const plausible = seconds >= EARLIEST_SENDER_TIME && seconds <= nowSeconds + MAX_FUTURE_SKEW_SECONDS;
  return Number.isFinite(seconds) && plausible ? seconds : nowSeconds;
}

/** Alertmanager and Grafana always send a fingerprint; without one, the sorted labels identify the alert. */
function labelsFingerprint(labels: Record<string, string>): string {
  const canonical = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `labels-${sha256Hex(canonical).slice(0, 16)}`;
}
