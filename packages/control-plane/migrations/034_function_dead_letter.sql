-- A function version's DeadLetterConfig.TargetArn: the SQS queue (of the function's
-- account) an async event is written to when it is discarded after its retries or
-- its maximum age. NULL: none. Published versions keep the one they were published with.
ALTER TABLE function_versions ADD COLUMN dead_letter_target text;
