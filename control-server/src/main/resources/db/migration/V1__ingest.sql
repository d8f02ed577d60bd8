-- Winnow control server: what the ingest stores. Portable between H2 (MODE=PostgreSQL) and PostgreSQL:
-- plain types only, times as TIMESTAMP WITH TIME ZONE (UTC), JSON kept as text.

CREATE TABLE devices (
    site           VARCHAR(64)  NOT NULL,
    line           VARCHAR(64)  NOT NULL,
    device         VARCHAR(64)  NOT NULL,
    status_state   VARCHAR(16),
    status_time    TIMESTAMP WITH TIME ZONE,
    agent_version  VARCHAR(1024),
    models_json    VARCHAR(16000),
    config_hash    VARCHAR(1024),
    last_seen      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (site, line, device)
);

CREATE TABLE reject_events (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    site         VARCHAR(64)  NOT NULL,
    line         VARCHAR(64)  NOT NULL,
    device       VARCHAR(64)  NOT NULL,
    event_time   TIMESTAMP WITH TIME ZONE NOT NULL,
    camera       VARCHAR(64)  NOT NULL,
    class_name   VARCHAR(64)  NOT NULL,
    confidence   DOUBLE PRECISION NOT NULL,
    belt_mm      DOUBLE PRECISION NOT NULL,
    across_mm    DOUBLE PRECISION NOT NULL,
    width_mm     DOUBLE PRECISION NOT NULL,
    length_mm    DOUBLE PRECISION NOT NULL,
    valves       VARCHAR(4000) NOT NULL,
    pulse_ms     DOUBLE PRECISION NOT NULL,
    audit        BOOLEAN      NOT NULL,
    model        VARCHAR(1024),
    lot          VARCHAR(1024),
    crop         VARCHAR(1024),
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX reject_events_line_time ON reject_events (site, line, event_time);

-- Rejections per line, class and minute (by event time); updated in the transaction that stores the events.
CREATE TABLE reject_minutes (
    site          VARCHAR(64) NOT NULL,
    line          VARCHAR(64) NOT NULL,
    minute_start  TIMESTAMP WITH TIME ZONE NOT NULL,
    class_name    VARCHAR(64) NOT NULL,
    rejections    BIGINT      NOT NULL,
    PRIMARY KEY (site, line, minute_start, class_name)
);

CREATE TABLE alarms (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    site         VARCHAR(64)  NOT NULL,
    line         VARCHAR(64)  NOT NULL,
    device       VARCHAR(64)  NOT NULL,
    event_time   TIMESTAMP WITH TIME ZONE NOT NULL,
    alarm_state  VARCHAR(16)  NOT NULL,
    severity     VARCHAR(16)  NOT NULL,
    cause        VARCHAR(64)  NOT NULL,
    message      VARCHAR(1024) NOT NULL,
    camera       VARCHAR(64),
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX alarms_line_time ON alarms (site, line, event_time);

CREATE TABLE stats (
    site              VARCHAR(64) NOT NULL,
    line              VARCHAR(64) NOT NULL,
    device            VARCHAR(64) NOT NULL,
    from_time         TIMESTAMP WITH TIME ZONE NOT NULL,
    to_time           TIMESTAMP WITH TIME ZONE NOT NULL,
    stats_mode        VARCHAR(16) NOT NULL,
    frames            BIGINT NOT NULL,
    dropped_frames    BIGINT NOT NULL,
    objects           BIGINT NOT NULL,
    detections_json   VARCHAR(16000) NOT NULL,
    rejections_json   VARCHAR(16000) NOT NULL,
    escapes           BIGINT NOT NULL,
    late_decisions    BIGINT NOT NULL,
    latency_p50_ms    DOUBLE PRECISION NOT NULL,
    latency_p99_ms    DOUBLE PRECISION NOT NULL,
    valve_cycles      BIGINT NOT NULL,
    fps               DOUBLE PRECISION NOT NULL,
    outbox_depth      BIGINT NOT NULL,
    cpu_temperature_c DOUBLE PRECISION,
    lot               VARCHAR(1024),
    received_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (site, line, device, from_time)
);

-- A command's answers: accepted, then done / failed (or refused). One row per command and outcome.
CREATE TABLE command_results (
    id           VARCHAR(64) NOT NULL,
    outcome      VARCHAR(16) NOT NULL,
    site         VARCHAR(64) NOT NULL,
    line         VARCHAR(64) NOT NULL,
    device       VARCHAR(64) NOT NULL,
    name         VARCHAR(64) NOT NULL,
    reason       VARCHAR(1024),
    event_time   TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id, outcome)
);
