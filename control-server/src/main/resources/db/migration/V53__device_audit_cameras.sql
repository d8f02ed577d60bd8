-- The cameras a device reported in audit mode on their own (comma-separated camera ids; NULL when none).
ALTER TABLE devices ADD COLUMN audit_cameras VARCHAR(4000);
