"""name overrides: a librarian's decisions on applicant name groups

Revision ID: 0003_name_overrides
Revises: 0002
Create Date: 2026-11-25 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_name_overrides'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('name_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_key', sa.Text(), nullable=False),
    sa.Column('group_label', sa.Text(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_name_overrides')),
    sa.UniqueConstraint('name', name=op.f('uq_name_overrides_name'))
    )
    with op.batch_alter_table('name_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_name_overrides_name_key'), ['name_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('name_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_name_overrides_name_key'))
    op.drop_table('name_overrides')
