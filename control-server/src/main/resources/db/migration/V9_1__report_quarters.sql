-- Quarter-hour rollups that make the daily report fast (added after V7 had shipped, so in a migration of its own).

-- Rollup: the events of one line and quarter hour (by event time, UTC-aligned 15 minutes, so every
-- zone's local hours, DST days included, are whole sets of quarters), grouped by what the report
-- splits on. Built by the report engine itself (from raw events, one SQL GROUP BY per stretch of
-- quarters) and checked against the ingest's per-minute counts (reject_minutes) before use: a quarter
-- whose stored event count differs (late events from an edge outbox) is rebuilt. Exact, never stale.
CREATE TABLE report_quarters (
    site          VARCHAR(64)   NOT NULL,
    line          VARCHAR(64)   NOT NULL,
    quarter_start TIMESTAMP WITH TIME ZONE NOT NULL,
    audit         BOOLEAN       NOT NULL,
    class_name    VARCHAR(64)   NOT NULL,
    camera        VARCHAR(64)   NOT NULL,
    model         VARCHAR(1024),
    lot           VARCHAR(1024),
    events        BIGINT        NOT NULL,
    first_time    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_time     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX report_quarters_line ON report_quarters (site, line, quarter_start);

-- Ejections (audit excluded) per lane: reject_events.valves is text ("7" or "7,8"); the rollup groups by
-- that text in SQL (about 60 distinct values a quarter) and splits it in Java into one row per valve.
CREATE TABLE report_quarter_valves (
    site          VARCHAR(64) NOT NULL,
    line          VARCHAR(64) NOT NULL,
    quarter_start TIMESTAMP WITH TIME ZONE NOT NULL,
    valve         INT         NOT NULL,
    ejections     BIGINT      NOT NULL,
    PRIMARY KEY (site, line, quarter_start, valve)
);

-- What each rolled-up quarter was built from: its stored event count (audit included), to compare with
-- SUM(reject_minutes.rejections) of the same 15 minutes.
CREATE TABLE report_quarter_state (
    site          VARCHAR(64) NOT NULL,
    line          VARCHAR(64) NOT NULL,
    quarter_start TIMESTAMP WITH TIME ZONE NOT NULL,
    events        BIGINT      NOT NULL,
    built_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (site, line, quarter_start)
);
