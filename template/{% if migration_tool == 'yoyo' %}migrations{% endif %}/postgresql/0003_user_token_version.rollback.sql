-- Undo 0003_user_token_version (PostgreSQL).

ALTER TABLE users DROP COLUMN token_version;
