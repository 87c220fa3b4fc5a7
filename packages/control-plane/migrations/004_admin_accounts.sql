-- Administrator accounts may create accounts and access keys through the admin API.
ALTER TABLE accounts ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
