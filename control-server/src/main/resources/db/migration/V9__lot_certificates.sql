-- Lot quality certificates as issued: the canonical JSON the hash covers, and the hash.
CREATE TABLE lot_certificates (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY,
    lot           VARCHAR(1024) NOT NULL,
    issued_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    canonical     TEXT          NOT NULL,
    sha256        VARCHAR(64)   NOT NULL
);
CREATE INDEX lot_certificates_lot ON lot_certificates (lot, issued_at);
