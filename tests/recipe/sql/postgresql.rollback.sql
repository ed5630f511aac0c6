DROP INDEX ix_notes_owner_id;

DROP TABLE notes;
