-- A model version's second-look models (decision.verify): JSON list of {class, folder, sha256, cardSha256}.
-- NULL for a model without verifiers and for every version stored before.
ALTER TABLE model_versions ADD COLUMN verifiers_json VARCHAR(64000);
