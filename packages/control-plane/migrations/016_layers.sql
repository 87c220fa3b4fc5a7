-- Lambda layers: each account's layers and their immutable versions, whose zips live
-- content-addressed in code_blobs beside function code. A function version pins the
-- layers it was configured with by digest (function_versions.layers), so deleting a
-- layer version never takes content from a function that uses it: code_blobs rows are
-- only collected once neither a layer version nor a function version refers to them.
CREATE TABLE layers (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- Version numbers are never reused, even after every version is deleted.
  last_version integer NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE layer_versions (
  account_id text NOT NULL,
  layer_name text NOT NULL,
  version integer NOT NULL,
  description text NOT NULL DEFAULT '',
  license_info text,
  compatible_runtimes jsonb NOT NULL DEFAULT '[]',
  compatible_architectures jsonb NOT NULL DEFAULT '[]',
  sha256_hex text NOT NULL REFERENCES code_blobs (sha256_hex),
  code_size bigint NOT NULL,
  unzipped_size bigint NOT NULL,
  -- The layer version's resource policy: [{Sid, Principal, Action}], and its revision.
  policy jsonb NOT NULL DEFAULT '[]',
  policy_revision uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, layer_name, version),
  FOREIGN KEY (account_id, layer_name) REFERENCES layers (account_id, name) ON DELETE CASCADE
);
CREATE INDEX layer_versions_sha256 ON layer_versions (sha256_hex);

-- [{arn, sha256Hex, codeSize, unzippedSize}] in the order they are merged into /opt.
ALTER TABLE function_versions ADD COLUMN layers jsonb NOT NULL DEFAULT '[]';
CREATE INDEX function_versions_layers ON function_versions USING gin (layers jsonb_path_ops);
