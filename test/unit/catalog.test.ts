import { describe, expect, it } from 'vitest';
import { isOperation, operationName, operationsOf, SOURCE_NAMES, SOURCES, sourcesOf } from '../../shared/event/catalog';

describe('catalog', () => {
  it('holds the product spec names exactly', () => {
    expect({
      confgo_file_create: operationName('confgo_file_create'),
      confgo_file_update: operationName('confgo_file_update'),
      confgo_file_delete: operationName('confgo_file_delete'),
      confgo_file_publish: operationName('confgo_file_publish'),
      confgo_file_rollback: operationName('confgo_file_rollback'),
      app_node_restart: operationName('app_node_restart'),
      grafana_alert_notification: operationName('grafana_alert_notification'),
    }).toEqual({
      confgo_file_create: '配置创建',
      confgo_file_update: '配置更新',
      confgo_file_delete: '配置删除',
      confgo_file_publish: '配置发布',
      confgo_file_rollback: '配置回滚',
      app_node_restart: '应用重启',
      grafana_alert_notification: 'Grafana 监控告警',
    });
    expect(SOURCE_NAMES).toEqual({ confgo: '配置中心', git: 'git 事件', devops: '发布事件', grafana: '监控告警' });
  });

  it('gives app_node_restart to both confgo and devops', () => {
    expect(sourcesOf('app_node_restart')).toEqual(['confgo', 'devops']);
  });

  it("holds Juno's devops operations and the git operations, each with a distinct name", () => {
    for (const op of ['devops_deploy', 'devops_rollback', 'devops_update', 'devops_register', 'devops_unregister']) {
      expect(isOperation(op)).toBe(true);
    }
    for (const op of ['git_push', 'git_tag_push', 'git_merge_request', 'git_pipeline', 'git_job', 'git_release']) {
      expect(isOperation(op)).toBe(true);
    }
    const names = SOURCES.flatMap((source) => operationsOf(source)).map((op) => operationName(op));
    expect(names.every((name) => name.length > 0)).toBe(true);
    expect(new Set(names).size).toBe(new Set(SOURCES.flatMap((source) => operationsOf(source))).size);
  });

  it('does not treat inherited property names as operations', () => {
    expect(isOperation('constructor')).toBe(false);
    expect(isOperation('__proto__')).toBe(false);
    expect(isOperation('toString')).toBe(false);
  });
});
