import { describe, expect, it } from 'vitest';
import { parseView, rangeOf, type View, viewAddress, withoutFilters } from '../../../shared/page/browser/view';

const DEFAULT: View = {
  app: '',
  source: '',
  operation: '',
  env: '',
  range: '24h',
  since: undefined,
  until: undefined,
  view: 'list',
  event: '',
  refresh: 0,
};

describe('the page’s view in the address', () => {
  it('is the last 24 hours of every event, as a list, when the address says nothing', () => {
    expect(parseView('')).toEqual(DEFAULT);
    expect(viewAddress(DEFAULT, '/dev/')).toBe('/dev/');
  });

  it('reads a shared address back into the same view', () => {
    const view: View = {
      app: 'user-svc',
      source: 'confgo',
      operation: 'confgo_file_publish',
      env: 'prod',
      range: 'custom',
      since: 1_700_000_000,
      until: 1_700_003_600,
      view: 'timeline',
      event: '123456789012',
      refresh: 30,
    };
    const address = viewAddress(view, '/');
    expect(address).toBe(
      '?app=user-svc&source=confgo&operation=confgo_file_publish&env=prod&range=custom&since=1700000000&until=1700003600&view=timeline&event=123456789012&refresh=30',
    );
    expect(parseView(address)).toEqual(view);
  });

  it('writes since and until only for a custom range', () => {
    expect(viewAddress({ ...DEFAULT, range: '7d', since: 1, until: 2 }, '/')).toBe('?range=7d');
  });

  it('falls back to the default for what it does not know or is malformed', () => {
    expect(parseView('?range=2y&refresh=15&event=12a&since=-5&until=123456789012&view=grid')).toEqual(DEFAULT);
    expect(parseView('?event=12345678901234567')).toEqual(DEFAULT);
  });

  it('covers a preset range back from now, and a custom range as given', () => {
    const now = 1_700_000_000;
    expect(rangeOf({ ...DEFAULT, range: '6h' }, now)).toEqual({ since: now - 6 * 3600, until: undefined });
    expect(rangeOf({ ...DEFAULT, range: 'custom', since: 5, until: 9 }, now)).toEqual({ since: 5, until: 9 });
    expect(rangeOf({ ...DEFAULT, range: 'custom', since: 5 }, now)).toEqual({ since: 5, until: undefined });
  });

  it('clears the filters and the range, keeping the tab, the open event and auto-refresh', () => {
    const view = parseView(
      '?app=a&source=git&operation=git_push&env=prod&range=custom&since=1&until=2&view=timeline&event=7&refresh=10',
    );
    expect(withoutFilters(view)).toEqual({ ...DEFAULT, view: 'timeline', event: '7', refresh: 10 });
  });
});
