-- Model registry: immutable model versions (files under {data}/models/{id}), signed with the server's Ed25519 key.
CREATE TABLE model_versions (
    id               VARCHAR(64)   NOT NULL PRIMARY KEY,
    name             VARCHAR(200)  NOT NULL,
    version          VARCHAR(100)  NOT NULL,
    sha256           VARCHAR(64)   NOT NULL,
    card_sha256      VARCHAR(64)   NOT NULL,
    signature        VARCHAR(200),
    size_bytes       BIGINT        NOT NULL,
    state            VARCHAR(16)   NOT NULL,
    validation_json  VARCHAR(64000),
    uploaded_by      VARCHAR(64)   NOT NULL,
    uploaded_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    UNIQUE (name, version)
);
