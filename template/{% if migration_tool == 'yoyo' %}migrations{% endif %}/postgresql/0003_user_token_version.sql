-- Users: a token version, and IDs that are never given again (PostgreSQL).
-- depends: 0001_initial_schema
-- Every token carries the user's token_version; raising it revokes the earlier ones.
-- The users' sequence never hands out a value twice, so IDs need no change here.

ALTER TABLE users ADD COLUMN token_version INTEGER DEFAULT 0 NOT NULL;
