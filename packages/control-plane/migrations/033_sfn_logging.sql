-- Step Functions: a state machine's loggingConfiguration (level, includeExecutionData and
-- the CloudWatch Logs group its executions' events go to); NULL is logging OFF.
ALTER TABLE sfn_state_machines ADD COLUMN logging jsonb;
