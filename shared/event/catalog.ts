// The catalog of sources and operations. operation_name and source_name always come from here,
// never from a sender.

export const SOURCES = ['confgo', 'git', 'devops', 'grafana'] as const;
export type Source = (typeof SOURCES)[number];

export const SOURCE_NAMES: Readonly<Record<Source, string>> = {
  confgo: '配置中心',
  git: 'git 事件',
  devops: '发布事件',
  grafana: '监控告警',
};

interface OperationEntry {
  readonly name: string;
  readonly sources: readonly Source[];
}

const OPERATIONS = {
  // The names of these seven are fixed by the product spec.
  confgo_file_create: { name: '配置创建', sources: ['confgo'] },
  confgo_file_update: { name: '配置更新', sources: ['confgo'] },
  confgo_file_delete: { name: '配置删除', sources: ['confgo'] },
  confgo_file_publish: { name: '配置发布', sources: ['confgo'] },
  confgo_file_rollback: { name: '配置回滚', sources: ['confgo'] },
  app_node_restart: { name: '应用重启', sources: ['confgo', 'devops'] },
  grafana_alert_notification: { name: 'Grafana 监控告警', sources: ['grafana'] },
  // Deploy and node lifecycle operations from Juno's catalog.
  devops_deploy: { name: '应用部署', sources: ['devops'] },
  devops_rollback: { name: '应用回滚', sources: ['devops'] },
  devops_update: { name: '节点更新', sources: ['devops'] },
  devops_register: { name: '节点注册', sources: ['devops'] },
  devops_unregister: { name: '节点注销', sources: ['devops'] },
  devops_restart: { name: '服务重启', sources: ['devops'] },
  devops_stop: { name: '服务停止', sources: ['devops'] },
  devops_start: { name: '服务启动', sources: ['devops'] },
  // Repository activity from GitLab and GitHub.
  git_push: { name: '代码推送', sources: ['git'] },
  git_tag_push: { name: '标签推送', sources: ['git'] },
  git_merge_request: { name: '合并请求', sources: ['git'] },
  git_pipeline: { name: '流水线', sources: ['git'] },
  git_job: { name: '流水线任务', sources: ['git'] },
  git_release: { name: '版本发布', sources: ['git'] },
  git_branch_delete: { name: '分支删除', sources: ['git'] },
  git_tag_delete: { name: '标签删除', sources: ['git'] },
  // Deployments that CI reports (GitHub deployment and deployment_status, GitLab Deployment Hook).
  git_deployment: { name: '流水线部署', sources: ['git'] },
} as const satisfies Record<string, OperationEntry>;

export type Operation = keyof typeof OPERATIONS;

export function isSource(value: string): value is Source {
  return (SOURCES as readonly string[]).includes(value);
}

export function isOperation(value: string): value is Operation {
  return Object.hasOwn(OPERATIONS, value);
}

export function operationName(operation: Operation): string {
  return OPERATIONS[operation].name;
}

/** The sources that may record `operation`. */
export function sourcesOf(operation: Operation): readonly Source[] {
  return OPERATIONS[operation].sources;
}

/** The operations a source may record, in catalog order. */
export function operationsOf(source: Source): Operation[] {
  return Object.keys(OPERATIONS)
    .filter(isOperation)
    .filter((op) => sourcesOf(op).includes(source));
}
