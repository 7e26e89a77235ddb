"""catalogue schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 12:48:48.210210
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ingest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('command', sa.Text(), nullable=True),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('read', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_runs'))
    )
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('doc_number', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('publication_date', sa.Date(), nullable=True),
    sa.Column('application_number', sa.String(length=64), nullable=True),
    sa.Column('application_country', sa.String(length=8), nullable=True),
    sa.Column('application_date', sa.Date(), nullable=True),
    sa.Column('earliest_priority_date', sa.Date(), nullable=True),
    sa.Column('family_id', sa.String(length=64), nullable=True),
    sa.Column('family_source', sa.String(length=16), nullable=True),
    sa.Column('lang', sa.String(length=12), nullable=True),
    sa.Column('source_rank', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_file', sa.Text(), nullable=False),
    sa.Column('source_position', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['ingest_runs.id'], name=op.f('fk_publications_run_id_ingest_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('number', name=op.f('uq_publications_number'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_country_doc_number'), ['country', 'doc_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_publication_date'), ['publication_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_run_id'), ['run_id'], unique=False)

    op.create_table('rejections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('file', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('record', sa.Text(), nullable=True),
    sa.Column('disposition', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['ingest_runs.id'], name=op.f('fk_rejections_run_id_ingest_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejections')),
    sa.UniqueConstraint('file', 'position', 'disposition', name=op.f('uq_rejections_file_position_disposition'))
    )
    op.create_table('versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_file', sa.Text(), nullable=False),
    sa.Column('source_position', sa.Integer(), nullable=False),
    sa.Column('source_rank', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['ingest_runs.id'], name=op.f('fk_versions_run_id_ingest_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_versions')),
    sa.UniqueConstraint('number', 'content_hash', name=op.f('uq_versions_number_content_hash'))
    )
    op.create_table('citations',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('cited_number', sa.String(length=64), nullable=True),
    sa.Column('cited_country', sa.String(length=8), nullable=True),
    sa.Column('cited_date', sa.Date(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('cited_by', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_citations_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('citations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citations_cited_number'), ['cited_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_citations_pub_id'), ['pub_id'], unique=False)

    op.create_table('classifications',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=12), nullable=False),
    sa.Column('symbol', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=True),
    sa.Column('level', sa.String(length=8), nullable=True),
    sa.Column('value', sa.String(length=8), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_classifications_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('classifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classifications_pub_id'), ['pub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_classifications_scheme_symbol'), ['scheme', 'symbol'], unique=False)

    op.create_table('identifiers',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_identifiers_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identifiers_pub_id'), ['pub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identifiers_scheme_value'), ['scheme', 'value'], unique=False)

    op.create_table('legal_events',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_legal_events_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('legal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_events_pub_id'), ['pub_id'], unique=False)

    op.create_table('parties',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('party_kind', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_parties_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parties_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_parties_pub_id'), ['pub_id'], unique=False)

    op.create_table('priorities',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_priorities_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('priorities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priorities_pub_id'), ['pub_id'], unique=False)

    op.create_table('texts',
    sa.Column('pub_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('lang', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['pub_id'], ['publications.id'], name=op.f('fk_texts_pub_id_publications'), ondelete='CASCADE')
    )
    with op.batch_alter_table('texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_texts_pub_id'), ['pub_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_texts_pub_id'))

    op.drop_table('texts')
    with op.batch_alter_table('priorities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priorities_pub_id'))

    op.drop_table('priorities')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_pub_id'))
        batch_op.drop_index(batch_op.f('ix_parties_name'))

    op.drop_table('parties')
    with op.batch_alter_table('legal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_events_pub_id'))

    op.drop_table('legal_events')
    with op.batch_alter_table('identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identifiers_scheme_value'))
        batch_op.drop_index(batch_op.f('ix_identifiers_pub_id'))

    op.drop_table('identifiers')
    with op.batch_alter_table('classifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classifications_scheme_symbol'))
        batch_op.drop_index(batch_op.f('ix_classifications_pub_id'))

    op.drop_table('classifications')
    with op.batch_alter_table('citations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citations_pub_id'))
        batch_op.drop_index(batch_op.f('ix_citations_cited_number'))

    op.drop_table('citations')
    op.drop_table('versions')
    op.drop_table('rejections')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_run_id'))
        batch_op.drop_index(batch_op.f('ix_publications_publication_date'))
        batch_op.drop_index(batch_op.f('ix_publications_family_id'))
        batch_op.drop_index(batch_op.f('ix_publications_country_doc_number'))

    op.drop_table('publications')
    op.drop_table('ingest_runs')
