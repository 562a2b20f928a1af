import { describe, expect, it } from 'vitest';
import {
  type Classification,
  classifyProbe,
  type Observation,
  primaryVerdict,
  secondaryVerdict,
} from '../../runtime/detection/classify';

const PRIMARY = { region: 'us-east-1', requireActive: true };
const SECONDARY = { region: 'us-east-2', requireActive: false };
const body = (status: string, role: string, region = 'us-east-1', components?: unknown[]) => ({
  status,
  region,
  role,
  ...(components ? { components } : {}),
});
const response = (status: number, b?: unknown): Observation => ({ kind: 'response', status, body: b });

describe('classifyProbe: one probe of the primary', () => {
  const cases: Array<[string, Observation, boolean, Classification]> = [
    ['200 active', response(200, body('ok', 'active')), true, { verdict: 'healthy', reason: 'ok' }],
    [
      '200 active, control down',
      response(200, body('ok', 'active')),
      false,
      { verdict: 'healthy', reason: 'ok' },
    ],
    [
      '200 passive (not the writer)',
      response(200, body('ok', 'passive')),
      true,
      { verdict: 'inconclusive', reason: 'not_active' },
    ],
    [
      '200 from another region',
      response(200, body('ok', 'active', 'us-east-2')),
      true,
      { verdict: 'inconclusive', reason: 'wrong_region' },
    ],
    [
      '200 without the health body',
      response(200, undefined),
      true,
      { verdict: 'inconclusive', reason: 'invalid_body' },
    ],
    [
      '200 with an unknown role',
      response(200, body('ok', 'leader')),
      true,
      { verdict: 'inconclusive', reason: 'invalid_body' },
    ],
    [
      '503 unavailable',
      response(
        503,
        body('unavailable', 'active', 'us-east-1', [
          { component: 'heartbeat', ok: false, reason: 'timeout' },
        ]),
      ),
      true,
      { verdict: 'failed', reason: 'unavailable' },
    ],
    [
      '503 with a body that is not JSON',
      response(503, undefined),
      true,
      { verdict: 'failed', reason: 'unavailable' },
    ],
    [
      '503 only schema_pending',
      response(
        503,
        body('unavailable', 'active', 'us-east-1', [
          { component: 'database', ok: true },
          { component: 'heartbeat', ok: false, reason: 'schema_pending' },
        ]),
      ),
      true,
      { verdict: 'inconclusive', reason: 'schema_pending' },
    ],
    [
      '503 schema_pending and a broken bucket',
      response(
        503,
        body('unavailable', 'active', 'us-east-1', [
          { component: 'heartbeat', ok: false, reason: 'schema_pending' },
          { component: 's3', ok: false, reason: 'timeout' },
        ]),
      ),
      true,
      { verdict: 'failed', reason: 'unavailable' },
    ],
    [
      '503 with no failed component listed',
      response(503, body('unavailable', 'active', 'us-east-1', [{ component: 'database', ok: true }])),
      true,
      { verdict: 'failed', reason: 'unavailable' },
    ],
    [
      '500 (function error)',
      response(500, { message: 'Internal server error' }),
      true,
      { verdict: 'failed', reason: 'http_500' },
    ],
    ['502', response(502), true, { verdict: 'failed', reason: 'http_502' }],
    ['504 (integration timeout)', response(504), true, { verdict: 'failed', reason: 'http_504' }],
    [
      '429 throttled',
      response(429, { message: 'Too Many Requests' }),
      true,
      { verdict: 'inconclusive', reason: 'throttled' },
    ],
    ['403 WAF', response(403, undefined), true, { verdict: 'inconclusive', reason: 'forbidden' }],
    [
      '403 bad signature',
      response(403, { message: 'The request signature we calculated does not match' }),
      true,
      { verdict: 'inconclusive', reason: 'forbidden' },
    ],
    [
      '401 unsigned',
      response(401, { error: { code: 'MISSING_AUTHENTICATION' } }),
      true,
      { verdict: 'inconclusive', reason: 'unauthenticated' },
    ],
    ['404 no such route', response(404), true, { verdict: 'inconclusive', reason: 'http_404' }],
    ['301 redirect', response(301), true, { verdict: 'inconclusive', reason: 'http_301' }],
    ['timeout, control answers', { kind: 'timeout' }, true, { verdict: 'failed', reason: 'timeout' }],
    [
      'timeout, control silent too',
      { kind: 'timeout' },
      false,
      { verdict: 'inconclusive', reason: 'local_network(timeout)' },
    ],
    [
      'reset, control answers',
      { kind: 'network', code: 'ECONNRESET' },
      true,
      { verdict: 'failed', reason: 'network:ECONNRESET' },
    ],
    [
      'reset, control silent too',
      { kind: 'network', code: 'ECONNRESET' },
      false,
      { verdict: 'inconclusive', reason: 'local_network(network:ECONNRESET)' },
    ],
    [
      'refused, control answers',
      { kind: 'network', code: 'ECONNREFUSED' },
      true,
      { verdict: 'failed', reason: 'network:ECONNREFUSED' },
    ],
    [
      'DNS failure, control silent',
      { kind: 'network', code: 'ENOTFOUND' },
      false,
      { verdict: 'inconclusive', reason: 'local_network(network:ENOTFOUND)' },
    ],
  ];
  for (const [name, observation, control, expected] of cases) {
    it(name, () => expect(classifyProbe(observation, control, PRIMARY)).toEqual(expected));
  }

  it('takes a passive secondary as healthy, but never a secondary naming another region', () => {
    expect(classifyProbe(response(200, body('ok', 'passive', 'us-east-2')), true, SECONDARY).verdict).toBe(
      'healthy',
    );
    expect(classifyProbe(response(200, body('ok', 'active', 'us-east-2')), true, SECONDARY).verdict).toBe(
      'healthy',
    );
    expect(classifyProbe(response(200, body('ok', 'passive', 'us-east-1')), true, SECONDARY).verdict).toBe(
      'inconclusive',
    );
  });
});

const h: Classification = { verdict: 'healthy', reason: 'ok' };
const f: Classification = { verdict: 'failed', reason: 'unavailable' };
const i: Classification = { verdict: 'inconclusive', reason: 'throttled' };

describe('run verdicts', () => {
  it('primary: healthy once is healthy; failed needs every probe failed', () => {
    expect(primaryVerdict([f, f, f])).toBe('failed');
    expect(primaryVerdict([f, h, f])).toBe('healthy');
    expect(primaryVerdict([f, i, f])).toBe('inconclusive');
    expect(primaryVerdict([i, i, i])).toBe('inconclusive');
    expect(primaryVerdict([])).toBe('inconclusive');
  });

  it('secondary: one failed probe makes it unhealthy; healthy needs a healthy probe and no failure', () => {
    expect(secondaryVerdict([h, h, h])).toBe('healthy');
    expect(secondaryVerdict([h, i, h])).toBe('healthy');
    expect(secondaryVerdict([h, f, h])).toBe('failed');
    expect(secondaryVerdict([i, i])).toBe('inconclusive');
    expect(secondaryVerdict([])).toBe('inconclusive');
  });
});
