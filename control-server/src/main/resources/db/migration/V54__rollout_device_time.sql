-- When a canary device answered that it runs the model, by the device's own clock: a later status of the device
-- (same clock) that no longer names the model means it left the canary (a restart keeps no canary).
ALTER TABLE rollout_devices ADD COLUMN loaded_device_time TIMESTAMP WITH TIME ZONE;
