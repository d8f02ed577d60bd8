-- Rollup: one line's figures of one local day (in a zone), written whenever that day is reported.
-- Trends against the previous 7 and 30 days read these instead of the raw events.
CREATE TABLE report_daily (
    site          VARCHAR(64) NOT NULL,
    line          VARCHAR(64) NOT NULL,
    report_day    DATE        NOT NULL,
    zone          VARCHAR(64) NOT NULL,
    running_ms    BIGINT      NOT NULL,
    tonnes        DOUBLE PRECISION NOT NULL,
    ejections     BIGINT      NOT NULL,
    escapes       BIGINT      NOT NULL,
    late          BIGINT      NOT NULL,
    classes_json  VARCHAR(16000) NOT NULL,
    cameras_json  VARCHAR(16000) NOT NULL,
    computed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (site, line, report_day, zone)
);
