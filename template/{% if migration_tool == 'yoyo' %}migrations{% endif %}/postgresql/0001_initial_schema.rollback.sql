-- Undo 0001_initial_schema (PostgreSQL).

DROP INDEX ix_perf_items_owner_id_created_at_live;

DROP INDEX ix_items_owner_id;

DROP TABLE items;

DROP TABLE users;
