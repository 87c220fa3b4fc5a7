-- An event source mapping's tags (CreateEventSourceMapping's Tags, TagResource by its
-- ARN), as Lambda keeps them: a map of at most 50.
ALTER TABLE event_source_mappings ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb;
