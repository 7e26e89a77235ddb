"""child records keep their order; wider priority kinds and identifier schemes

* A `pos` column on every child table: a party's `seq` is its sequence within its role, so ordering
  by `seq` mixed applicants and inventors when loading; `pos` is the record's position in the
  publication's tuple. Rows written before this revision get 0 and keep the old `seq` order.
* `priorities.kind` and `identifiers.scheme` grow from 16 to 32 characters: USPTO domestic benefit
  claims are "continuation-in-part", and identifiers of related publications "related-publication"
  (PostgreSQL refused them; SQLite does not check lengths).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

CHILD_TABLES = ('texts', 'parties', 'classifications', 'citations', 'priorities', 'legal_events', 'identifiers')


def upgrade() -> None:
    for table in CHILD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('pos', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('priorities', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=16), type_=sa.String(length=32),
                              existing_nullable=True)
    with op.batch_alter_table('identifiers', schema=None) as batch_op:
        batch_op.alter_column('scheme', existing_type=sa.String(length=16), type_=sa.String(length=32),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('identifiers', schema=None) as batch_op:
        batch_op.alter_column('scheme', existing_type=sa.String(length=32), type_=sa.String(length=16),
                              existing_nullable=False)
    with op.batch_alter_table('priorities', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=16),
                              existing_nullable=True)
    for table in CHILD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('pos')
