"""catalog search state: a token that changes whenever the search index changes

Revision ID: b7d2e5a14c30
Revises: 5e4a0c1f9b21
Create Date: 2026-11-23 16:00:00

`catalog_search_fts_state` holds one row, a random token. Triggers on
`catalog_search_document` give it a new value whenever a document is inserted, updated or
deleted (by `pathways.catalog.search`, or by a foreign key's ON DELETE CASCADE), so a
process that caches facet data keyed by the token can tell, in the statement of each
search, whether its cache still describes the index. Like the other index objects it is
not a model (`search.include_name` leaves it out of Alembic's comparison). On PostgreSQL
the GIN index of the text loses its pending list (fastupdate), so that it stays usable
right after a reindex.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2e5a14c30'
down_revision = '5e4a0c1f9b21'
branch_labels = None
depends_on = None

POSTGRES_TOKEN = "md5(random()::text || clock_timestamp()::text)"
SQLITE_TOKEN = "lower(hex(randomblob(16)))"

POSTGRES_UP = [
    # Without the pending list a bulk load leaves (fastupdate), which a search must read
    # through until VACUUM merges it, the planner keeps choosing the GIN index.
    "ALTER INDEX ix_catalog_search_fts_document SET (fastupdate = off)",
    """
    CREATE TABLE catalog_search_fts_state (
        id INTEGER NOT NULL,
        token VARCHAR(32) NOT NULL,
        CONSTRAINT pk_catalog_search_fts_state PRIMARY KEY (id),
        CONSTRAINT ck_catalog_search_fts_state_one CHECK (id = 1)
    )
    """,
    f"INSERT INTO catalog_search_fts_state (id, token) VALUES (1, {POSTGRES_TOKEN})",
    # OR REPLACE: a function outlives a test run's DROP TABLE ... CASCADE.
    f"""
    CREATE OR REPLACE FUNCTION catalog_search_fts_touch() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE catalog_search_fts_state SET token = {POSTGRES_TOKEN};
        RETURN NULL;
    END $$
    """,
    # Once per statement: a bulk reindex changes the token once, not 10,000 times.
    """
    CREATE TRIGGER catalog_search_fts_touch
    AFTER INSERT OR UPDATE OR DELETE ON catalog_search_document
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_fts_touch()
    """,
    """
    CREATE TRIGGER catalog_search_fts_touch_truncate
    AFTER TRUNCATE ON catalog_search_document
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_fts_touch()
    """,
]

POSTGRES_DOWN = [
    "ALTER INDEX ix_catalog_search_fts_document RESET (fastupdate)",
    "DROP TRIGGER IF EXISTS catalog_search_fts_touch_truncate ON catalog_search_document",
    "DROP TRIGGER IF EXISTS catalog_search_fts_touch ON catalog_search_document",
    "DROP FUNCTION IF EXISTS catalog_search_fts_touch()",
    "DROP TABLE IF EXISTS catalog_search_fts_state",
]

SQLITE_UP = [
    """
    CREATE TABLE catalog_search_fts_state (
        id INTEGER NOT NULL,
        token VARCHAR(32) NOT NULL,
        CONSTRAINT pk_catalog_search_fts_state PRIMARY KEY (id),
        CONSTRAINT ck_catalog_search_fts_state_one CHECK (id = 1)
    )
    """,
    f"INSERT INTO catalog_search_fts_state (id, token) VALUES (1, {SQLITE_TOKEN})",
    *(
        # SQLite triggers run once per row (cascaded deletes included).
        f"""
        CREATE TRIGGER catalog_search_fts_touch_{event.lower()}
        AFTER {event} ON catalog_search_document
        BEGIN
            UPDATE catalog_search_fts_state SET token = {SQLITE_TOKEN};
        END
        """
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_search_fts_touch_insert",
    "DROP TRIGGER IF EXISTS catalog_search_fts_touch_update",
    "DROP TRIGGER IF EXISTS catalog_search_fts_touch_delete",
    "DROP TABLE IF EXISTS catalog_search_fts_state",
]


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
