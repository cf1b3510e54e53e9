// The events page in a real browser (Debian's Chromium, driven by playwright-core), served by
// `npm start` over the events of every source: what a person sees — the token prompt, rows newest
// first, filters narrowing them and kept in the URL, the timeline's lanes and marks, the detail,
// each error state — with no console errors, and every response the page receives checked against
// openapi.json. JUNOEVENT_SCREENSHOTS=<dir> also writes timeline.png (desktop) and phone.png (the
// list at 390×844) there (docs/).

import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net';
import { idTime } from '../../shared/event/ids';
import { RECORD_FIELDS } from '../../shared/event/record';
import { checkResponse, contractFetch } from '../support/contract';
import { signStandard } from '../support/http';
import { killLocal, type LocalService, startLocal } from '../support/local-start';
import { type Seeded, seedEvents } from '../support/seed';

const CHROMIUM = process.env.JUNOEVENT_CHROMIUM || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

if (!HAVE_CHROMIUM) {
  // Without Chromium the page tests below are reported skipped, and so is this one, which says why;
  // in CI it fails the run instead.
  it('needs Chromium to run the page tests', (context) => {
    context.skip(!process.env.CI, `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    throw new Error(`CI must run the page tests: install Debian's chromium (${CHROMIUM} is missing)`);
  });
}

describe.skipIf(!HAVE_CHROMIUM)('the events page in Chromium, served by npm start', () => {
  let service: LocalService;
  let browser: Browser;
  let seeded: Seeded;
  /** Per test: what the browser reported, and the contract checks of what it received. */
  let opened: { context: BrowserContext; consoleErrors: string[]; pageErrors: string[]; checks: Promise<void>[] }[] =
    [];

  beforeAll(async () => {
    const port = await freePort();
    service = await startLocal({ port, dataDir: mkdtempSync(join(tmpdir(), 'junoevent-page-')) });
    seeded = await seedEvents(service.base, service.secrets.secrets);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    killLocal();
  });

  afterEach(async () => {
    for (const { context } of opened) await context.close();
    opened = [];
  });

  /** A new tab (fresh sessionStorage) that records console errors and checks every response. */
  async function newPage(
    viewport = { width: 1280, height: 800 },
    device: { hasTouch?: boolean; isMobile?: boolean } = {},
  ): Promise<Page & { seen: (typeof opened)[number] }> {
    const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-US', ...device });
    // A step that waits longer than this fails with what it waited for, well within the test's time.
    context.setDefaultTimeout(8000);
    const page = await context.newPage();
    const seen = { context, consoleErrors: [] as string[], pageErrors: [] as string[], checks: [] as Promise<void>[] };
    opened.push(seen);
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') seen.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => seen.pageErrors.push(error.message));
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin !== service.base) return;
      seen.checks.push(
        (async () => {
          let answer: { headers: Record<string, string>; text: string };
          try {
            answer = { headers: await response.allHeaders(), text: await response.text() };
          } catch (error) {
            // A response still arriving when its test closed the page has no body left to check.
            if (/has been closed/.test(String(error))) return;
            throw error;
          }
          await checkResponse({
            method: response.request().method(),
            path: url.pathname,
            status: response.status(),
            ...answer,
          });
        })(),
      );
    });
    return Object.assign(page, { seen });
  }

  /** No uncaught errors; console errors only those expected; every response as documented. */
  async function expectClean(page: Page & { seen: (typeof opened)[number] }, allowed: RegExp[] = []) {
    expect(page.seen.pageErrors).toEqual([]);
    expect(page.seen.consoleErrors.filter((text) => !allowed.some((pattern) => pattern.test(text)))).toEqual([]);
    await Promise.all(page.seen.checks);
    expect(page.seen.checks.length).toBeGreaterThan(0);
  }

  async function signIn(page: Page, path = '/'): Promise<void> {
    await page.goto(`${service.base}${path}`);
    await page.getByLabel('Read API token').fill(service.secrets.apiToken);
    await page.getByRole('button', { name: 'Open' }).click();
  }

  const rows = (page: Page) => page.locator('#rows tr');

  async function rowOperations(page: Page): Promise<string[]> {
    return rows(page).locator('td:nth-child(5) code').allTextContents();
  }

  it('asks for the token, says when it is wrong, and keeps it out of the URL', async () => {
    const page = await newPage();
    const response = await page.goto(service.base);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.getByRole('heading', { name: 'API token' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#token-message').textContent()).toContain('Enter the read API token');
    expect(await page.locator('#filters').isVisible()).toBe(false);

    await page.getByLabel('Read API token').fill('not-the-token-0123456789');
    await page.getByRole('button', { name: 'Open' }).click();
    const refused = page.getByRole('alert');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/The API refused this token \(401 invalid_token: .*\)/);
    expect(await page.evaluate(() => sessionStorage.getItem('junoevent.token'))).toBeNull();

    await page.getByLabel('Read API token').fill(service.secrets.apiToken);
    await page.getByRole('button', { name: 'Open' }).click();
    await rows(page).first().waitFor();
    expect(page.url()).not.toContain(service.secrets.apiToken);
    expect(await page.evaluate(() => sessionStorage.getItem('junoevent.token'))).toBe(service.secrets.apiToken);
    // Chromium reports each refused request (one per source) in the console.
    await expectClean(page, [/status of 401/]);
  });

  it('lists the last 24 hours of every source newest first, and filters narrow them, kept in the URL', async () => {
    const page = await newPage();
    await signIn(page);
    await rows(page).first().waitFor();
    expect(await rowOperations(page)).toEqual([
      'git_push',
      'grafana_alert_notification',
      'confgo_file_publish',
      'grafana_alert_notification',
      'devops_deploy',
      'confgo_file_publish',
      'devops_restart',
    ]);
    const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));
    expect(ids).toEqual(
      ['git-push', 'order-alert', 'order-publish', 'user-alert', 'user-deploy', 'user-publish', 'order-restart'].map(
        (label) => seeded.ids[label],
      ),
    );
    expect(await page.locator('#status').textContent()).toContain('7 events, newest first (4 sources read and merged)');

    await page.getByLabel('Source', { exact: true }).selectOption('grafana');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/source=grafana/);
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(await rows(page).locator('td:nth-child(4)').allTextContents()).toEqual(['grafana', 'grafana']);

    await page.getByLabel('Source', { exact: true }).selectOption('');
    await page.getByLabel('App', { exact: true }).fill('user-svc');
    await page.getByLabel('Env', { exact: true }).fill('prod');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/app=user-svc/);
    await expect
      .poll(() => rowOperations(page))
      .toEqual(['grafana_alert_notification', 'devops_deploy', 'confgo_file_publish']);
    expect(new URL(page.url()).searchParams.get('env')).toBe('prod');

    // The same view, shared: another tab opens the URL and sees the same rows once it has the token.
    const shared = await newPage();
    await signIn(shared, new URL(page.url()).search);
    await expect
      .poll(() => rowOperations(shared))
      .toEqual(['grafana_alert_notification', 'devops_deploy', 'confgo_file_publish']);
    expect(await shared.getByLabel('App', { exact: true }).inputValue()).toBe('user-svc');

    // A wider range reaches the 3-day-old event.
    await shared.goto(`${service.base}/?app=pay-svc&range=7d`);
    await expect.poll(() => rowOperations(shared)).toEqual(['confgo_file_update']);
    await expectClean(page);
    await expectClean(shared);
  });

  it('narrows to a custom time range, given in the form and kept in the URL as unix seconds', async () => {
    const page = await newPage();
    await signIn(page);
    await rows(page).first().waitFor();
    expect(await page.getByLabel('From', { exact: true }).isVisible()).toBe(false);
    await page.getByLabel('Time range').selectOption('custom');
    // The browser's zone is UTC: datetime-local values are UTC here.
    const minute = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString().slice(0, 16);
    await page.getByLabel('From', { exact: true }).fill(minute(4 * 3600));
    await page.getByLabel('To', { exact: true }).fill(minute(90 * 60));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/range=custom/);
    await expect
      .poll(() => rowOperations(page))
      .toEqual(['grafana_alert_notification', 'devops_deploy', 'confgo_file_publish']);
    const query = new URL(page.url()).searchParams;
    expect(Number(query.get('until')) - Number(query.get('since'))).toBe(4 * 3600 - 90 * 60);
    await expectClean(page);
  });

  it('says when no events match', async () => {
    const page = await newPage();
    await signIn(page, '/?app=nobody-svc');
    const note = page.locator('#problem');
    await note.waitFor();
    expect(await note.textContent()).toBe('No events match these filters in this time range.');
    expect(await rows(page).count()).toBe(0);
    await expectClean(page);
  });

  it('shows a row’s detail: all 15 fields and the metadata pretty-printed', async () => {
    const page = await newPage();
    await signIn(page, '/?app=user-svc');
    const id = seeded.ids['user-publish'];
    await page.getByRole('button', { name: new RegExp(`^Open event ${id}:`) }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('dt').allTextContents()).toEqual([...RECORD_FIELDS]);
    const values = await dialog.locator('dd').allTextContents();
    expect(values[0]).toBe(String(id));
    expect(values[1]).toBe('user-svc');
    expect(values[9]).toBe('confgo_file_publish');
    expect(values[13]).toBe('配置发布');
    expect(await dialog.locator('pre').textContent()).toBe(
      JSON.stringify(
        { configuration_id: 10, file: 'user.toml', version: 'v42', diff: { timeout: ['3s', '30s'] } },
        null,
        2,
      ),
    );
    expect(new URL(page.url()).searchParams.get('event')).toBe(String(id));
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The dialog's close event (which takes the event out of the address) follows its closing.
    await expect.poll(() => new URL(page.url()).searchParams.get('event')).toBeNull();
    await expectClean(page);
  });

  it('draws one lane per app with changes and alerts as distinct marks; a mark opens its detail', async () => {
    const page = await newPage();
    await signIn(page, '/?view=timeline&range=6h');
    const marks = page.locator('#timeline .mark');
    await marks.first().waitFor();
    await expect.poll(() => marks.count()).toBe(7);
    expect(await page.locator('#timeline .lane-label').allTextContents()).toEqual([
      seeded.gitApp,
      'order-svc',
      'user-svc',
    ]);
    const bySource = await marks.evaluateAll((nodes) =>
      nodes.map((node) => `${node.getAttribute('data-source')}:${node.tagName}`).sort(),
    );
    expect(bySource).toEqual([
      'confgo:circle',
      'confgo:circle',
      'devops:rect',
      'devops:rect',
      'git:path',
      'grafana:path',
      'grafana:path',
    ]);
    // Alerts and changes differ in shape and colour, and the legend says which is which.
    const fill = (source: string) =>
      marks
        .and(page.locator(`[data-source=${source}]`))
        .first()
        .evaluate((node) => getComputedStyle(node).fill);
    expect(new Set([await fill('confgo'), await fill('devops'), await fill('git'), await fill('grafana')]).size).toBe(
      4,
    );
    expect(await page.locator('#legend li').allTextContents()).toEqual([
      ' confgo — change (配置中心)',
      ' git — change (git 事件)',
      ' devops — change (发布事件)',
      ' grafana — alert (监控告警)',
    ]);
    expect(await page.locator('#status').textContent()).toBe('7 events in 3 apps: 5 changes, 2 alerts.');

    // On the user-svc lane the alert comes after the deploy and the config publish.
    const lane = page.getByRole('list', { name: /^user-svc: 3 events/ });
    const xs = await lane
      .locator('.mark')
      .evaluateAll((nodes) =>
        nodes.map((node) => ({ source: node.getAttribute('data-source'), x: node.getBoundingClientRect().x })),
      );
    const xOf = (source: string) => xs.find((mark) => mark.source === source)?.x ?? Number.NaN;
    expect(xOf('confgo')).toBeLessThan(xOf('devops'));
    expect(xOf('devops')).toBeLessThan(xOf('grafana'));

    const screenshots = process.env.JUNOEVENT_SCREENSHOTS;
    if (screenshots) {
      mkdirSync(resolve(screenshots), { recursive: true });
      const bottom = await page.locator('#timeline').evaluate((node) => node.getBoundingClientRect().bottom);
      await page.screenshot({
        path: join(resolve(screenshots), 'timeline.png'),
        clip: { x: 0, y: 0, width: 1280, height: Math.min(800, Math.ceil(bottom) + 16) },
      });
    }

    // By keyboard: focus the alert mark, Enter opens its detail.
    const alert = lane.locator('.mark[data-source=grafana]');
    await alert.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect
      .poll(() => dialog.getByRole('heading').first().textContent())
      .toBe(`Grafana 监控告警 · user-svc · event ${seeded.ids['user-alert']}`);
    expect(await dialog.locator('pre').textContent()).toContain('\n    "alertname": "HighErrorRate",\n');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // With the mouse: the git mark.
    await page.locator('#timeline .mark[data-source=git]').click();
    await expect.poll(() => dialog.locator('dd').first().textContent()).toBe(String(seeded.ids['git-push']));
    await expectClean(page);
  });

  it('says what happened in each row: the headline, with the operation’s name and code', async () => {
    const page = await newPage();
    await signIn(page, '/?app=user-svc');
    await expect.poll(() => rows(page).count()).toBe(3);
    const what = await rows(page).locator('td:nth-child(5) button').allTextContents();
    expect(what).toEqual([
      'firing · HighErrorRate · HighErrorRate on user-svc',
      'deployed v1.8.0 to prod on host-a, host-b',
      'user.toml published · version v42',
    ]);
    expect(await rows(page).nth(1).locator('td:nth-child(5) .kind').textContent()).toBe('应用部署 devops_deploy');
    await expectClean(page);
  });

  it('lists in an alert’s detail the changes of its app in the 2 hours before, each opening its own detail', async () => {
    const page = await newPage();
    await signIn(page, `/?app=user-svc&event=${seeded.ids['user-alert']}`);
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect
      .poll(() => page.locator('#detail-headline').textContent())
      .toBe('firing · HighErrorRate · HighErrorRate on user-svc');
    const context = page.getByRole('region', { name: 'Changes in the 2 hours before' });
    const entries = context.locator('li .headline');
    await expect
      .poll(() => entries.allTextContents())
      .toEqual(['deployed v1.8.0 to prod on host-a, host-b', 'user.toml published · version v42']);
    // The headline comes before the fields, and the fields before the metadata.
    const order = await dialog.evaluate((node) =>
      ['#detail-headline', '#detail-context', '#detail-fields', '#detail-metadata'].map(
        (selector) => node.querySelector(selector)?.getBoundingClientRect().top ?? -1,
      ),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // The deploy's own detail lists the alert in the hour after it.
    await context.getByRole('button', { name: new RegExp(`^Open event ${seeded.ids['user-deploy']}:`) }).click();
    await expect.poll(() => dialog.locator('dd').first().textContent()).toBe(String(seeded.ids['user-deploy']));
    const after = page.getByRole('region', { name: 'Alerts in the hour after' });
    await expect
      .poll(() => after.locator('li .headline').allTextContents())
      .toEqual(['firing · HighErrorRate · HighErrorRate on user-svc']);
    expect(new URL(page.url()).searchParams.get('event')).toBe(String(seeded.ids['user-deploy']));
    await expectClean(page);
  });

  it('is readable on a narrow screen: nothing wider than the viewport', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signIn(page);
    await rows(page).first().waitFor();
    /** Elements reaching past the viewport's right edge (none, on a page readable on a phone). */
    const overflow = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 0.5)
          .filter((node) => !node.closest('.scroll, #timeline') || node.matches('.scroll, #timeline'))
          .map((node) => `${node.tagName.toLowerCase()}#${node.id}.${node.className}`),
      );
    expect(await overflow()).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.getByRole('columnheader', { name: 'Host' }).isVisible()).toBe(false);
    // Each row is a card: time, app and source on a line, what happened on the whole line below.
    const first = rows(page).first();
    const box = async (selector: string) => first.locator(selector).boundingBox();
    const [app, what] = [await box('td:nth-child(2)'), await box('td:nth-child(5) button')];
    expect(await first.locator('td:nth-child(2)').textContent()).toBe(seeded.gitApp);
    expect(what?.y).toBeGreaterThan(app?.y ?? Number.NaN);
    expect((what?.x ?? 0) + (what?.width ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(390);
    const screenshots = process.env.JUNOEVENT_SCREENSHOTS;
    if (screenshots) {
      mkdirSync(resolve(screenshots), { recursive: true });
      await page.screenshot({ path: join(resolve(screenshots), 'phone.png') });
    }
    // The filters start folded away; their summary opens them.
    expect(await page.locator('#filters').isVisible()).toBe(false);
    await page.getByText('Filters', { exact: true }).click();
    expect(await page.getByLabel('Source', { exact: true }).isVisible()).toBe(true);
    // Every control a finger uses is at least 44 px tall.
    const short = await page.evaluate(() =>
      [...document.querySelectorAll('button, select, input, summary, nav a')]
        .filter((node) => node.getClientRects().length > 0 && node.getBoundingClientRect().height < 44)
        .map((node) => `${node.tagName.toLowerCase()}#${node.id}`),
    );
    expect(short).toEqual([]);
    await page.getByRole('link', { name: 'Timeline' }).click();
    // On a phone, marks nearer than a tap target are gathered: the marks still stand for all 7 events.
    const counted = () =>
      page
        .locator('#timeline .mark')
        .evaluateAll((nodes) => nodes.reduce((sum, node) => sum + Number(node.getAttribute('data-count') ?? 1), 0));
    await page.locator('#timeline .mark').first().waitFor();
    await expect.poll(counted).toBe(7);
    // Lane labels are whole and inside the screen.
    const labels = await page
      .locator('#timeline .lane-label')
      .evaluateAll((nodes) =>
        nodes.map((node) => ({ text: node.textContent, right: node.getBoundingClientRect().right })),
      );
    expect(labels.map((label) => label.text)).toEqual([seeded.gitApp, 'order-svc', 'user-svc']);
    expect(labels.every((label) => label.right <= 390)).toBe(true);
    expect(await overflow()).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectClean(page);
  });

  it('opens a mark’s detail with a tap on a phone', async () => {
    const page = await newPage({ width: 390, height: 844 }, { hasTouch: true, isMobile: true });
    await signIn(page, '/?view=timeline&range=6h');
    const git = page.locator('#timeline .mark[data-source=git]');
    await git.waitFor();
    await git.tap();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('dd').first().textContent()).toBe(String(seeded.ids['git-push']));
    expect(await page.locator('#detail-headline').textContent()).toBe('master ← 4 commits: "fixed readme"');
    await expectClean(page);
  });

  it('gathers marks too near to tell apart into one with a count, which lists its events', async () => {
    // After the tests that count every seeded event: these four are of an app of their own.
    const now = Math.floor(Date.now() / 1000);
    const posted: number[] = [];
    // Three deploys within 2 seconds and one 2 hours before them: on the fitted axis the three overlap.
    for (const [operation, time] of [
      ['devops_start', now - 3 * 3600],
      ['devops_deploy', now - 3600],
      ['devops_restart', now - 3599],
      ['devops_stop', now - 3598],
    ] as const) {
      const body = JSON.stringify({ app_name: 'cluster-svc', operation, create_time: time, host_name: 'c-1' });
      const response = await contractFetch(`${service.base}/webhooks/devops`, {
        method: 'POST',
        headers: signStandard(service.secrets.secrets.devops, body),
        body,
      });
      posted.push(((await response.json()) as { events: { id: number }[] }).events[0]?.id ?? 0);
    }
    const page = await newPage();
    await signIn(page, '/?view=timeline&app=cluster-svc&range=6h');
    const cluster = page.locator('#timeline .mark.cluster');
    await cluster.waitFor();
    expect(await cluster.getAttribute('data-count')).toBe('3');
    expect(await cluster.locator('text').textContent()).toBe('3');
    expect(await page.locator('#timeline .mark[data-source=devops]').count()).toBe(1);
    await cluster.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const listed = page.locator('#context-list li .headline');
    await expect.poll(() => listed.allTextContents()).toEqual(['stopped c-1', 'restarted c-1', 'deployed on c-1']);
    await page.locator('#context-list li button').first().click();
    await expect.poll(() => dialog.locator('dd').first().textContent()).toBe(String(posted[3]));
    await expectClean(page);
  });

  it('refreshes on demand and every N seconds', async () => {
    const page = await newPage();
    // The page's timers run on a clock the test moves on: every 10 s without waiting 10 s.
    await page.clock.install();
    await signIn(page, '/?app=refresh-svc');
    await page.locator('#problem').waitFor();
    const post = async (operation: string) => {
      const body = JSON.stringify({ app_name: 'refresh-svc', operation });
      const response = await contractFetch(`${service.base}/webhooks/devops`, {
        method: 'POST',
        headers: signStandard(service.secrets.secrets.devops, body),
        body,
      });
      expect(response.status).toBe(202);
    };
    await post('devops_start');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => rowOperations(page)).toEqual(['devops_start']);

    await page.getByLabel('Auto-refresh').selectOption('10');
    await expect.poll(() => new URL(page.url()).searchParams.get('refresh')).toBe('10');
    await post('devops_stop');
    await page.clock.runFor(10_000);
    await expect.poll(() => rowOperations(page)).toEqual(['devops_stop', 'devops_start']);
    await expectClean(page);
  });

  it('pages with the read API’s cursors, merging two sources newest first', async () => {
    // app_node_restart is recorded by confgo and devops: with no app or source chosen, the page
    // reads both listings and merges them. 35 of each, interleaved in time, make two pages of 50.
    const now = Math.floor(Date.now() / 1000);
    const posted: { id: number; time: number }[] = [];
    for (let i = 0; i < 70; i += 1) {
      const source = i % 2 === 0 ? 'confgo' : 'devops';
      const time = now - 3600 - i * 17;
      const body = JSON.stringify({ app_name: `restart-${i % 5}`, operation: 'app_node_restart', create_time: time });
      const response = await contractFetch(`${service.base}/webhooks/${source}`, {
        method: 'POST',
        headers: signStandard(service.secrets.secrets[source], body),
        body,
      });
      const answer = (await response.json()) as { events: { id: number }[] };
      posted.push({ id: answer.events[0]?.id ?? 0, time });
    }
    const newestFirst = posted.sort((a, b) => b.time - a.time || b.id - a.id).map((event) => event.id);

    const page = await newPage();
    await signIn(page, '/?operation=app_node_restart');
    const shownIds = () => rows(page).evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));
    await expect.poll(() => rows(page).count()).toBe(50);
    expect(await shownIds()).toEqual(newestFirst.slice(0, 50));
    expect(await page.locator('#status').textContent()).toBe(
      '50 events, newest first (2 sources read and merged); more available.',
    );
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows(page).count()).toBe(70);
    expect(await shownIds()).toEqual(newestFirst);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
    await expectClean(page);
  }, 60_000);

  it('shows the status strip above the events: publishing, and each source’s last event', async () => {
    const page = await newPage();
    await signIn(page);
    const gitId = seeded.ids['git-push'];
    if (gitId === undefined) throw new Error('the seed stored no git push');
    // The time the git event was stored, read from its id, in the tab's zone (UTC).
    const stored = new Date(idTime(gitId)).toISOString().slice(0, 19).replace('T', ' ');
    const strip = page.getByRole('region', { name: 'Service status' }).getByRole('listitem');
    await expect.poll(() => strip.allTextContents()).toContain(`git: last event ${stored}`);
    const items = await strip.allTextContents();
    expect(items[0]).toBe('Publishing off: events are only stored');
    expect(items.filter((text) => /^(confgo|devops|git|grafana): last event \d{4}-/.test(text))).toHaveLength(4);
    await expectClean(page);
  });

  it('says the API is unavailable when it cannot be reached', async () => {
    const page = await newPage();
    await signIn(page, '/?app=user-svc');
    await expect.poll(() => rows(page).count()).toBe(3);
    expect(await service.stop()).toBe(0);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'The API is unavailable (no answer). Events are kept; try Refresh in a moment.',
    );
    await expectClean(page, [/ERR_CONNECTION_REFUSED/]);
  });
});
