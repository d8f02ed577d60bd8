-- How many times the device's agent had started when it sent its stored status (status.boot; NULL from agents that
-- predate it). A status with a higher count replaces the stored one whatever its time: a device's clock may step
-- backwards across a restart (a Pi without a real-time clock starting before NTP).
ALTER TABLE devices ADD COLUMN boot BIGINT;
-- The device's start count when it answered that it runs a canary: a later start means the canary was cut short
-- (an agent keeps no canary across a restart), however the device's clock moved.
ALTER TABLE rollout_devices ADD COLUMN loaded_boot BIGINT;
