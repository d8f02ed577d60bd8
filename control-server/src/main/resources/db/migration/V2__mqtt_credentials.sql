-- MQTT credentials issued by enrolment (devices) and for services (a server's ingest on an external
-- broker). Only the hash is kept: Mosquitto's $7$ format (PBKDF2-HMAC-SHA512), so the same value can be
-- written to a Mosquitto password file.
CREATE TABLE mqtt_credentials (
    username     VARCHAR(200) NOT NULL PRIMARY KEY,
    role         VARCHAR(16)  NOT NULL,
    site         VARCHAR(64),
    line         VARCHAR(64),
    device       VARCHAR(64),
    secret_hash  VARCHAR(255) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at   TIMESTAMP WITH TIME ZONE
);
