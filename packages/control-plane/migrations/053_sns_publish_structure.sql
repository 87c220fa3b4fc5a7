-- A published message's MessageStructure (sns_publish_requests, migration 051): 'json'
-- when its text is a JSON object of a message per protocol (a Step Functions
-- sns:publish task may ask for it, as Publish does), which the relay picks from for
-- each subscription; NULL: the one text for every protocol.
ALTER TABLE sns_publish_requests ADD COLUMN message_structure text;
