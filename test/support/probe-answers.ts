/**
 * What a region's `/health/probe` answers in each state the detection tests play, as runtime/health builds it:
 * the one description both the loopback probe server (test/support/probe-server.ts) and the simulated world of
 * the scenario suite (test/scenarios/support/world.ts) serve.
 */
export type ProbeAnswerState = 'active' | 'passive' | 'unavailable' | 'schema-pending' | 'throttled';

export function probeAnswer(
  state: ProbeAnswerState,
  region: string,
  role: 'active' | 'passive',
): { status: number; body: unknown } {
  const heartbeatFailed = (reason: string) => ({
    status: 503,
    body: {
      status: 'unavailable',
      region,
      role,
      components: [{ component: 'heartbeat', ok: false, reason }],
    },
  });
  switch (state) {
    case 'active':
    case 'passive':
      return {
        status: 200,
        body: { status: 'ok', region, role, components: [{ component: 'database', ok: true }] },
      };
    case 'unavailable':
      return heartbeatFailed('timeout');
    case 'schema-pending':
      return heartbeatFailed('schema_pending');
    case 'throttled':
      return { status: 429, body: { message: 'Too Many Requests' } };
  }
}
