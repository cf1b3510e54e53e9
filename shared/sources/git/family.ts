// GitLab (X-Gitlab-Event) and GitHub (X-GitHub-Event) webhooks, on one route.

import type { GitSourceConfig } from '../../config/types';
import { BadRequestError } from '../../errors';
import { type HttpRequest, mediaType, requireJsonContent } from '../../http/request';
import type { SenderFamily } from '../family';
import { authenticateGitHub, authenticateGitLab } from './auth';
import { shapeGitHub } from './github';
import { shapeGitLab } from './gitlab';

export const gitFamily: SenderFamily<GitSourceConfig> = {
  source: 'git',
  authenticate(config, request, nowSeconds) {
    if (request.headers['x-gitlab-event'] !== undefined) return authenticateGitLab(config, request, nowSeconds);
    if (request.headers['x-github-event'] !== undefined) return authenticateGitHub(config, request);
    return {
      accepted: false,
      refusal: new BadRequestError('unknown_sender', 'expected an X-Gitlab-Event or X-GitHub-Event header'),
    };
  },
  json: (request) => (request.headers['x-github-event'] === undefined ? jsonText(request) : githubJson(request)),
  shape(body, request, config, { deliveryKey, metadataBudget, nowSeconds }) {
    const context = { projects: config.projects, metadataBudget, nowSeconds, deliveryKey };
    const gitlabEvent = request.headers['x-gitlab-event'];
    if (gitlabEvent !== undefined) return shapeGitLab(gitlabEvent, body, context);
    return shapeGitHub(request.headers['x-github-event'] ?? '', body, context);
  },
};

function jsonText(request: HttpRequest): string {
  requireJsonContent(request);
  return request.rawBody;
}

/** GitHub posts JSON, or a form whose payload field holds the JSON; the signature covers the raw body. */
function githubJson(request: HttpRequest): string {
  if (mediaType(request) === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(request.rawBody).get('payload');
    if (payload === null) throw new BadRequestError('empty_body', 'the form has no payload field');
    return payload;
  }
  return jsonText(request);
}
