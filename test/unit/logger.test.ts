// The log lines: one JSON object each, with the level, message, time and service first, then the
// entry's fields; entries below the level from the environment are not written.

import { describe, expect, it } from 'vitest';
import { createLogger, logLevel } from '../../shared/logger';

function captured(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const log = createLogger({ env, write: (line) => lines.push(line), now: () => Date.UTC(2026, 11, 3, 1, 2, 3) });
  return { log, lines };
}

describe('logger', () => {
  it('writes one JSON line per entry: level, message, timestamp, service, then the fields', () => {
    const { log, lines } = captured({});
    log.info('request', { function: 'confgo', status: 202 });
    log.error('failed', { error: new TypeError('bad thing') });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      level: 'INFO',
      message: 'request',
      timestamp: '2026-12-03T01:02:03.000Z',
      service: 'junoevent',
      function: 'confgo',
      status: 202,
    });
    expect(Object.keys(JSON.parse(lines[0] ?? '')).slice(0, 4)).toEqual(['level', 'message', 'timestamp', 'service']);
    expect(JSON.parse(lines[1] ?? '').error).toMatchObject({ name: 'TypeError', message: 'bad thing' });
  });

  it('writes nothing below the level: JUNOEVENT_LOG_LEVEL, else AWS_LAMBDA_LOG_LEVEL, else INFO', () => {
    const levels = (env: NodeJS.ProcessEnv) => {
      const { log, lines } = captured(env);
      log.info('i');
      log.warn('w');
      log.error('e');
      return lines.map((line) => JSON.parse(line).level);
    };
    expect(levels({})).toEqual(['INFO', 'WARN', 'ERROR']);
    expect(levels({ JUNOEVENT_LOG_LEVEL: 'warn' })).toEqual(['WARN', 'ERROR']);
    expect(levels({ AWS_LAMBDA_LOG_LEVEL: 'ERROR' })).toEqual(['ERROR']);
    expect(levels({ JUNOEVENT_LOG_LEVEL: 'INFO', AWS_LAMBDA_LOG_LEVEL: 'ERROR' })).toEqual(['INFO', 'WARN', 'ERROR']);
    expect(levels({ JUNOEVENT_LOG_LEVEL: 'SILENT' })).toEqual([]);
    expect(logLevel({ JUNOEVENT_LOG_LEVEL: 'loud' })).toBe('INFO');
  });
});
