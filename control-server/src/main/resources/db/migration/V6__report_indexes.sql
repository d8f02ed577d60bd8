-- Reports and the overview: the overview counts the last minute of every line (by time alone), the
-- report reads a line's stats by time, the certificate reads a lot's events and stats.
CREATE INDEX reject_events_time ON reject_events (event_time);
CREATE INDEX reject_events_lot ON reject_events (lot);
CREATE INDEX stats_line_time ON stats (site, line, from_time);
CREATE INDEX stats_lot ON stats (lot);
