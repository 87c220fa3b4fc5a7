-- A queue's access policy (the Policy attribute), kept as the text given.
ALTER TABLE sqs_queues ADD COLUMN policy text;
