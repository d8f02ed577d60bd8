-- Reports: what a line produces (for tonnes and cotton lost) and when/where the daily report goes.

CREATE TABLE line_settings (
    site                VARCHAR(64) NOT NULL,
    line                VARCHAR(64) NOT NULL,
    throughput_kg_h     DOUBLE PRECISION NOT NULL,
    grams_per_ejection  DOUBLE PRECISION NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (site, line)
);

-- One row (id = 1): the daily report's schedule, zone and e-mail.
CREATE TABLE report_settings (
    id            INT          NOT NULL PRIMARY KEY,
    zone          VARCHAR(64)  NOT NULL,
    run_at        VARCHAR(5)   NOT NULL,
    enabled       BOOLEAN      NOT NULL,
    recipients    VARCHAR(4000),
    smtp_host     VARCHAR(255),
    smtp_port     INT,
    smtp_from     VARCHAR(255),
    smtp_user     VARCHAR(255),
    smtp_starttls BOOLEAN      NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO report_settings (id, zone, run_at, enabled, smtp_starttls, updated_at)
VALUES (1, 'UTC', '00:15', TRUE, FALSE, TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00');
