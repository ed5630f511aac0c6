-- Users: a token version, and IDs that are never given again (SQLite).
-- depends: 0001_initial_schema
-- Every token carries the user's token_version; raising it revokes the earlier ones.
-- AUTOINCREMENT keeps a deleted user's ID (and their tokens) from the next user;
-- SQLite adds it only by rebuilding the table. yoyo's connection leaves foreign keys
-- off (SQLite's default), so dropping the old table does not cascade to the items.

CREATE TABLE users_rebuilt (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    email VARCHAR(320) NOT NULL,
    hashed_password VARCHAR(255) NOT NULL,
    full_name VARCHAR(255),
    role VARCHAR(16) NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    token_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT ck_users_role CHECK (role IN ('user', 'admin'))
);

INSERT INTO users_rebuilt
    (id, email, hashed_password, full_name, role, is_active, created_at, updated_at)
SELECT id, email, hashed_password, full_name, role, is_active, created_at, updated_at
FROM users;

DROP TABLE users;

ALTER TABLE users_rebuilt RENAME TO users;
