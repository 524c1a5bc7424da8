"""Initial schema: calculations, profile read model, foods, diary, plans, achievements, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 22:05:12.381602
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from fitness_platform.outbox import create_outbox_objects, drop_outbox_objects

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_objects(op)
    op.execute(sa.schema.CreateSequence(sa.Sequence('custom_food_id_seq', start=10_000_000)))
    op.create_table('achievements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('unlocked_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_achievements')),
    sa.UniqueConstraint('user_id', 'code', 'week_start', name=op.f('uq_achievements_user_id_code_week_start'))
    )
    op.create_index(op.f('ix_achievements_user_id'), 'achievements', ['user_id'], unique=False)
    op.create_table('admin_audit',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('correlation_id', sa.String(length=128), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_audit'))
    )
    op.create_table('calculations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('input', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('daily_calories', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calculations'))
    )
    op.create_index('ix_calculations_user_created', 'calculations', ['user_id', 'created_at'], unique=False)
    op.create_table('diary_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('meal_slot', sa.String(length=16), nullable=False),
    sa.Column('food_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('grams', sa.Float(), nullable=False),
    sa.Column('kcal', sa.Float(), nullable=False),
    sa.Column('protein_g', sa.Float(), nullable=False),
    sa.Column('fat_g', sa.Float(), nullable=False),
    sa.Column('carbs_g', sa.Float(), nullable=False),
    sa.Column('fiber_g', sa.Float(), nullable=True),
    sa.Column('sodium_mg', sa.Float(), nullable=True),
    sa.Column('sat_fat_g', sa.Float(), nullable=True),
    sa.Column('sugars_g', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_entries'))
    )
    op.create_index('ix_diary_entries_user_day', 'diary_entries', ['user_id', 'day'], unique=False)
    op.create_table('foods',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('food_group', sa.String(length=100), nullable=False),
    sa.Column('kcal', sa.Float(), nullable=False),
    sa.Column('protein_g', sa.Float(), nullable=False),
    sa.Column('fat_g', sa.Float(), nullable=False),
    sa.Column('sat_fat_g', sa.Float(), nullable=True),
    sa.Column('carbs_g', sa.Float(), nullable=False),
    sa.Column('sugars_g', sa.Float(), nullable=True),
    sa.Column('fiber_g', sa.Float(), nullable=True),
    sa.Column('sodium_mg', sa.Float(), nullable=True),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('allergens', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('composite', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.Column('slots', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('ndb_no', sa.String(length=8), nullable=True),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("to_tsvector('english'::regconfig, description)", persisted=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_foods')),
    sa.UniqueConstraint('ndb_no', name=op.f('uq_foods_ndb_no'))
    )
    op.create_index('ix_foods_allergens', 'foods', ['allergens'], unique=False, postgresql_using='gin')
    op.create_index('ix_foods_search', 'foods', ['search'], unique=False, postgresql_using='gin')
    op.create_index('ix_foods_tags', 'foods', ['tags'], unique=False, postgresql_using='gin')
    op.create_table('meal_templates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slot', sa.String(length=16), nullable=False),
    sa.Column('items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meal_templates'))
    )
    op.create_table('personal_plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('plan', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_plans'))
    )
    op.create_index('ix_personal_plans_user_created', 'personal_plans', ['user_id', 'created_at'], unique=False)
    op.create_table('user_profiles',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('height_cm', sa.Float(), nullable=True),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('activity_level', sa.String(length=16), nullable=True),
    sa.Column('goal', sa.String(length=16), nullable=True),
    sa.Column('target_rate_kg_per_week', sa.Float(), nullable=True),
    sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_profiles'))
    )
    op.create_table('portions',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('food_id', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=120), nullable=False),
    sa.Column('grams', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['food_id'], ['foods.id'], name=op.f('fk_portions_food_id_foods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portions'))
    )
    op.create_index(op.f('ix_portions_food_id'), 'portions', ['food_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_portions_food_id'), table_name='portions')
    op.drop_table('portions')
    op.drop_table('user_profiles')
    op.drop_index('ix_personal_plans_user_created', table_name='personal_plans')
    op.drop_table('personal_plans')
    op.drop_table('meal_templates')
    op.drop_index('ix_foods_tags', table_name='foods', postgresql_using='gin')
    op.drop_index('ix_foods_search', table_name='foods', postgresql_using='gin')
    op.drop_index('ix_foods_allergens', table_name='foods', postgresql_using='gin')
    op.drop_table('foods')
    op.drop_index('ix_diary_entries_user_day', table_name='diary_entries')
    op.drop_table('diary_entries')
    op.drop_index('ix_calculations_user_created', table_name='calculations')
    op.drop_table('calculations')
    op.drop_table('admin_audit')
    op.drop_index(op.f('ix_achievements_user_id'), table_name='achievements')
    op.drop_table('achievements')
    op.execute(sa.schema.DropSequence(sa.Sequence('custom_food_id_seq')))
    drop_outbox_objects(op)
