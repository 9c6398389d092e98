"""catalog search index: FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 5e4a0c1f9b21
Revises: e8573e6b3b7e
Create Date: 2026-11-23 15:00:00

The index tables `catalog_search_fts` and `catalog_search_fts_facet` are not models:
`pathways.catalog.search` writes them (index_version / reindex_all) and
`search.include_name` keeps them out of Alembic's comparison. Existing published versions
are indexed by `flask pathways search-reindex` (`load-content` indexes what it loads).

`catalog_search_fts_facet` (version id, facet, value) lists each version's facet values
(college, delivery mode, languages, partners, occupations) so a search counts every facet
in one pass over the matching versions, and filters on occupation and partner by index.

SQLite: an FTS5 table (rowid = version id) whose tokenizer folds case and accents.
PostgreSQL: one tsvector per version (title weight A, summary B, outcomes C) under a GIN
index, built with two configurations, `pathways_english` and `pathways_french`: snowball
stemmers without stop-word lists (so a word a stemmer would drop still matches, as on
SQLite), preceded by `unaccent` when that extension can be created. The app folds accents
in Python before it calls to_tsvector, so results do not depend on `unaccent`; with it a
hand-written query against the index folds accents too.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e4a0c1f9b21'
down_revision = 'e8573e6b3b7e'
branch_labels = None
depends_on = None

POSTGRES_UP = [
    # A superuser (or a trusted-extension owner) can create it; anyone else goes without.
    """
    DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'unaccent is not available: accents are folded by the app only';
    END $$
    """,
    # Configurations outlive a test run's DROP TABLE ... CASCADE: create them only once.
    """
    DO $$
    DECLARE
        lang text;
        has_unaccent boolean := EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent');
    BEGIN
        FOREACH lang IN ARRAY ARRAY['english', 'french'] LOOP
            IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'pathways_' || lang || '_stem') THEN
                EXECUTE format(
                    'CREATE TEXT SEARCH DICTIONARY pathways_%s_stem (TEMPLATE = snowball, Language = %s)',
                    lang, lang);
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pathways_' || lang) THEN
                EXECUTE format('CREATE TEXT SEARCH CONFIGURATION pathways_%s (COPY = simple)', lang);
                EXECUTE format(
                    'ALTER TEXT SEARCH CONFIGURATION pathways_%s ALTER MAPPING FOR '
                    'asciiword, word, hword, hword_part, asciihword, hword_asciipart WITH %s',
                    lang,
                    CASE WHEN has_unaccent THEN 'unaccent, ' ELSE '' END
                        || 'pathways_' || lang || '_stem');
            END IF;
        END LOOP;
    END $$
    """,
    """
    CREATE TABLE catalog_search_fts (
        version_id INTEGER NOT NULL,
        document TSVECTOR NOT NULL,
        CONSTRAINT pk_catalog_search_fts PRIMARY KEY (version_id),
        CONSTRAINT fk_catalog_search_fts_version_id_catalog_search_document
            FOREIGN KEY (version_id) REFERENCES catalog_search_document (version_id)
            ON DELETE CASCADE
    )
    """,
    "CREATE INDEX ix_catalog_search_fts_document ON catalog_search_fts USING gin (document)",
    """
    CREATE TABLE catalog_search_fts_facet (
        version_id INTEGER NOT NULL,
        facet VARCHAR(16) NOT NULL,
        value VARCHAR(100) NOT NULL,
        CONSTRAINT pk_catalog_search_fts_facet PRIMARY KEY (version_id, facet, value),
        CONSTRAINT fk_catalog_search_fts_facet_version_id_catalog_search_document
            FOREIGN KEY (version_id) REFERENCES catalog_search_document (version_id)
            ON DELETE CASCADE
    )
    """,
    "CREATE INDEX ix_catalog_search_fts_facet_value ON catalog_search_fts_facet (facet, value, version_id)",
]

POSTGRES_DOWN = [
    "DROP TABLE IF EXISTS catalog_search_fts_facet",
    "DROP TABLE IF EXISTS catalog_search_fts",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS pathways_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS pathways_french",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS pathways_english_stem",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS pathways_french_stem",
]

SQLITE_UP = [
    # prefix='2 3': the last word of a query is a prefix ("saf" -> "safety"); short prefixes
    # read a prefix index instead of scanning every term.
    """
    CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        code, title, summary, outcomes,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    )
    """,
    """
    CREATE TABLE catalog_search_fts_facet (
        version_id INTEGER NOT NULL,
        facet VARCHAR(16) NOT NULL,
        value VARCHAR(100) NOT NULL,
        CONSTRAINT pk_catalog_search_fts_facet PRIMARY KEY (version_id, facet, value)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX ix_catalog_search_fts_facet_value ON catalog_search_fts_facet (facet, value, version_id)",
]

SQLITE_DOWN = [
    "DROP TABLE IF EXISTS catalog_search_fts_facet",
    "DROP TABLE IF EXISTS catalog_search_fts",
]


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
