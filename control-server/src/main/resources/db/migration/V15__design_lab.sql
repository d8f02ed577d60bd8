-- Design lab: studies (a brief), their designs per generation with lineage and scores, people's
-- judgements and imported A/B results. JSON kept as text; portable between H2 and PostgreSQL.

CREATE TABLE design_studies (
    id           BIGINT       NOT NULL PRIMARY KEY,
    name         VARCHAR(200) NOT NULL,
    brief_json   VARCHAR(100000) NOT NULL,
    generations  INT          NOT NULL DEFAULT 0,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE designs (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    study_id     BIGINT       NOT NULL REFERENCES design_studies (id),
    generation   INT          NOT NULL,
    idx          INT          NOT NULL,
    genome       VARCHAR(8000) NOT NULL,
    parents      VARCHAR(200) NOT NULL,
    operator     VARCHAR(200) NOT NULL,
    scores_json  VARCHAR(8000) NOT NULL,
    total        DOUBLE PRECISION NOT NULL,
    cell         VARCHAR(16)  NOT NULL,
    name         VARCHAR(200),
    copy_json    VARCHAR(16000),
    shortlisted  BOOLEAN      NOT NULL DEFAULT FALSE,
    rating       INT,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX designs_study_gen ON designs (study_id, generation, idx);

CREATE TABLE design_judgements (
    id           BIGINT       NOT NULL PRIMARY KEY,
    design_id    VARCHAR(64)  NOT NULL REFERENCES designs (id),
    kind         VARCHAR(16)  NOT NULL,
    val          INT          NOT NULL,
    judged_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE design_ab (
    design_id    VARCHAR(64)  NOT NULL PRIMARY KEY REFERENCES designs (id),
    impressions  BIGINT       NOT NULL,
    clicks       BIGINT       NOT NULL,
    imported_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
