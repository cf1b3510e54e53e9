// The page function's files, through its real handler: the page, its script and style under a
// strict Content-Security-Policy, and the OpenAPI document exactly as kept in the repository.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH } from '../support/contract';
import { useFunctions } from '../support/functions';
import { invoke } from '../support/http';

describe('page function', () => {
  const { handlers } = useFunctions({ clearEach: false });
  const get = (path: string) => invoke(handlers.page, { method: 'GET', path });

  it('serves the page with a Content-Security-Policy that allows only its own script, style and API', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // No inline script or style, nothing from another origin: the page loads app.js and app.css only.
    expect(page.text).not.toMatch(/<script>|<style|style=|https?:\/\//);
    expect(page.text).toContain('<script src="app.js" defer></script>');
    expect(page.text).toContain('<link rel="stylesheet" href="app.css">');
  });

  it('serves the script and the style, and nothing of them refers to another origin', async () => {
    const script = await get('/app.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain('junoevent.token');
    // The service's catalog is bundled with the script, its names as they are (UTF-8, not escaped).
    expect(script.text).toContain('grafana_alert_notification');
    expect(script.text).toContain('Grafana 监控告警');
    const style = await get('/app.css');
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const file of [script.text, style.text]) expect(file).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const bytes = [await get('/'), script, style].reduce((sum, r) => sum + Buffer.byteLength(r.text), 0);
    console.log(`page: ${bytes} bytes (html + js + css)`);
    expect(bytes).toBeLessThan(64 * 1024);
  });

  it('serves openapi.json as kept in the repository', async () => {
    const document = await get('/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body).toEqual(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
  });
});
