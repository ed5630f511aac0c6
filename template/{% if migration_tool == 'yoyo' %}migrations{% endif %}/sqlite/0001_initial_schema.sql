-- Initial schema: users and their items (SQLite).
-- INTEGER PRIMARY KEY is SQLite's auto-numbered row ID.

CREATE TABLE users (
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

CREATE TABLE items (
    id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    description TEXT,
    owner_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    CONSTRAINT pk_items PRIMARY KEY (id),
    CONSTRAINT fk_items_owner_id_users FOREIGN KEY (owner_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_items_owner_id ON items (owner_id);

-- The list endpoint reads a user's live items newest first.
CREATE INDEX ix_perf_items_owner_id_created_at_live
    ON items (owner_id, created_at) WHERE deleted_at IS NULL;
