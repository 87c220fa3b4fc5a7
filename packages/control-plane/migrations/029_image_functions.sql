-- Container image functions (PackageType Image): the image a version runs, pinned to
-- a digest once resolved, with its ImageConfig; why a function is not Active
-- (StateReason) and how its last update went (LastUpdateStatus). An image function
-- stores no zip, so its code digest is NULL.

ALTER TABLE function_versions
  ALTER COLUMN code_sha256_hex DROP NOT NULL,
  ADD COLUMN package_type text NOT NULL DEFAULT 'Zip',
  ADD COLUMN image jsonb,
  ADD COLUMN state_reason jsonb,
  ADD COLUMN last_update jsonb NOT NULL DEFAULT '{"status":"Successful"}';

CREATE INDEX function_versions_images_unsettled ON function_versions (last_modified)
  WHERE package_type = 'Image' AND version = '$LATEST'
    AND (state = 'Pending' OR last_update ->> 'status' = 'InProgress');
