-- A self-managed Kafka mapping has poller slots beside its own lease: each slot's holder
-- runs one member of the mapping's consumer group, at most one slot a control plane, so
-- that several control planes share the topic's partitions (docs/EVENT-SOURCES.md).
-- Mappings made before this get the slots new ones are made with.
INSERT INTO esm_leases (mapping_uuid, shard)
SELECT m.uuid, 'poller-' || n
FROM event_source_mappings m, generate_series(1, 3) AS n
WHERE m.source_kind = 'kafka'
ON CONFLICT DO NOTHING;
