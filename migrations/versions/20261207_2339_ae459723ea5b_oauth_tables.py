"""OAuth 2.0 clients, authorization codes, tokens (digests only) and held outside credentials

Revision ID: ae459723ea5b
Revises: 3f91701fb89b
Create Date: 2026-12-07 23:39:12.648115

"""
from alembic import op
import sqlalchemy as sa

import pathways.db


# revision identifiers, used by Alembic.
revision = 'ae459723ea5b'
down_revision = '3f91701fb89b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oauth_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('client_secret_hash', sa.String(length=64), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=False),
    sa.Column('client_uri', sa.String(length=500), nullable=True),
    sa.Column('logo_uri', sa.String(length=500), nullable=True),
    sa.Column('tos_uri', sa.String(length=500), nullable=True),
    sa.Column('policy_uri', sa.String(length=500), nullable=True),
    sa.Column('software_id', sa.String(length=200), nullable=True),
    sa.Column('software_version', sa.String(length=100), nullable=True),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('redirect_uris', sa.JSON(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('grant_types', sa.JSON(), nullable=False),
    sa.Column('response_types', sa.JSON(), nullable=False),
    sa.Column('token_endpoint_auth_method', sa.String(length=32), nullable=False),
    sa.Column('created_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_client')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_client_client_id'))
    )
    op.create_table('oauth_authorization_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.String(length=32), nullable=False),
    sa.Column('redirect_uri', sa.String(length=500), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('code_challenge_method', sa.String(length=10), nullable=False),
    sa.Column('created_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', pathways.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_oauth_authorization_code_client_id_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oauth_authorization_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_authorization_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_oauth_authorization_code_code_hash')),
    sa.UniqueConstraint('grant_id', name=op.f('uq_oauth_authorization_code_grant_id'))
    )
    with op.batch_alter_table('oauth_authorization_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_authorization_code_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_authorization_code_user_id'), ['user_id'], unique=False)

    op.create_table('oauth_held_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('pushed_by_client_id', sa.Integer(), nullable=True),
    sa.Column('equality_key', sa.String(length=64), nullable=False),
    sa.Column('credential_id', sa.Text(), nullable=False),
    sa.Column('issuer_id', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('format', sa.Enum('json', 'jws', name='heldformat', native_enum=False, length=8), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('valid_from', pathways.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('verification', sa.JSON(), nullable=True),
    sa.Column('verified_at', pathways.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pushed_by_client_id'], ['oauth_client.id'], name=op.f('fk_oauth_held_credential_pushed_by_client_id_oauth_client'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oauth_held_credential_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_held_credential')),
    sa.UniqueConstraint('user_id', 'equality_key', name=op.f('uq_oauth_held_credential_user_id_equality_key'))
    )
    with op.batch_alter_table('oauth_held_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_held_credential_user_id'), ['user_id'], unique=False)

    op.create_table('oauth_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.String(length=32), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('refresh_token_hash', sa.String(length=64), nullable=True),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('issued_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('access_expires_at', pathways.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('refresh_expires_at', pathways.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', pathways.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rotated_at', pathways.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_oauth_token_client_id_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oauth_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_token')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_oauth_token_access_token_hash')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_oauth_token_refresh_token_hash'))
    )
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_token_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_grant_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_client_id'))

    op.drop_table('oauth_token')
    with op.batch_alter_table('oauth_held_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_held_credential_user_id'))

    op.drop_table('oauth_held_credential')
    with op.batch_alter_table('oauth_authorization_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_authorization_code_user_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_authorization_code_client_id'))

    op.drop_table('oauth_authorization_code')
    op.drop_table('oauth_client')
