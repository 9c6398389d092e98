"""catalog client authors: which API client wrote a version or did an act in its history

Revision ID: c4a9e31d7f52
Revises: b7d2e5a14c30
Create Date: 2026-11-23 17:00:00

A college's API client with catalog:write (a curriculum system) authors drafts, so a
version's created/updated-by and a history entry may name a client instead of a user:
nullable foreign keys to `api_client`, SET NULL when the client is deleted. On SQLite the
batch operations rebuild both tables; migrations/env.py turns foreign keys off meanwhile,
so dropping the old table does not cascade to the rows that reference it.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a9e31d7f52'
down_revision = 'b7d2e5a14c30'
branch_labels = None
depends_on = None

COLUMNS = {
    'catalog_version': ('created_by_client_id', 'updated_by_client_id'),
    'catalog_version_event': ('actor_client_id',),
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch_op.create_foreign_key(
                    batch_op.f(f'fk_{table}_{column}_api_client'),
                    'api_client',
                    [column],
                    ['id'],
                    ondelete='SET NULL',
                )


def downgrade():
    for table, columns in reversed(COLUMNS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_constraint(
                    batch_op.f(f'fk_{table}_{column}_api_client'), type_='foreignkey'
                )
                batch_op.drop_column(column)
