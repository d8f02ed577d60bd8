-- Every generated daily report, kept: HTML, PDF and CSV as generated.
CREATE TABLE report_archive (
    id            VARCHAR(64)  NOT NULL PRIMARY KEY,
    site          VARCHAR(64)  NOT NULL,
    report_day    DATE         NOT NULL,
    zone          VARCHAR(64)  NOT NULL,
    trigger_kind  VARCHAR(16)  NOT NULL,
    generated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    millis        BIGINT       NOT NULL,
    html          TEXT         NOT NULL,
    csv           TEXT         NOT NULL,
    pdf           BYTEA        NOT NULL,
    emailed_to    VARCHAR(4000)
);
CREATE INDEX report_archive_site_day ON report_archive (site, report_day);
