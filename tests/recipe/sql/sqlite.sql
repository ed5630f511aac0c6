CREATE TABLE notes (
    id INTEGER NOT NULL,
    body VARCHAR(500) NOT NULL,
    owner_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    CONSTRAINT pk_notes PRIMARY KEY (id),
    CONSTRAINT fk_notes_owner_id_users FOREIGN KEY (owner_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_notes_owner_id ON notes (owner_id);
