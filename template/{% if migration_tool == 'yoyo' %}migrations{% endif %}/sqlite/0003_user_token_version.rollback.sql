-- Undo 0003_user_token_version (SQLite): the table as 0001 made it.

CREATE TABLE users_rebuilt (
    id INTEGER NOT NULL,
    email VARCHAR(320) NOT NULL,
    hashed_password VARCHAR(255) NOT NULL,
    full_name VARCHAR(255),
    role VARCHAR(16) NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT ck_users_role CHECK (role IN ('user', 'admin'))
);

INSERT INTO users_rebuilt
    (id, email, hashed_password, full_name, role, is_active, created_at, updated_at)
SELECT id, email, hashed_password, full_name, role, is_active, created_at, updated_at
FROM users;

DROP TABLE users;

ALTER TABLE users_rebuilt RENAME TO users;
