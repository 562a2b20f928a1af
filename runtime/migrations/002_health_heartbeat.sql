-- The deep health check's heartbeat: in the region that holds the writer, every check commits an upsert of its
-- region's one row, so a commit path that blocks or times out fails health (runtime/health/checks.ts).
--
-- At most one row per region, updated in place: the table never grows. beat_at carries no index, and the
-- fillfactor leaves room on the page, so each update can be a heap-only tuple (HOT) update that autovacuum
-- reclaims without touching an index.

CREATE TABLE health_heartbeat (
  region text PRIMARY KEY
    CONSTRAINT health_heartbeat_region_format CHECK (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]+$'),
  beat_at timestamptz NOT NULL
) WITH (fillfactor = 50);
