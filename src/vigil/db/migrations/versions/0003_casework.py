"""casework: units, operations, personas, authorisations, suspects, children, offences,
outcomes, referrals, platform observations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:15:45.767571
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("code", name=op.f("uq_units_code")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "personas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name_used", sa.String(length=256), nullable=False),
        sa.Column("claimed_age", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_personas_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
        sa.UniqueConstraint("ref", name=op.f("uq_personas_ref")),
    )
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personas_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "case_units",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_units_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_case_units_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_units")),
    )
    with op.batch_alter_table("case_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_units_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_operations_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_operations_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
        sa.UniqueConstraint("ref", name=op.f("uq_operations_ref")),
    )
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_operations_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "persona_handles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("handle", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"], ["personas.id"], name=op.f("fk_persona_handles_persona_id_personas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persona_handles")),
        sa.UniqueConstraint("persona_id", "platform", "handle", name="uq_persona_handles_key"),
    )
    with op.batch_alter_table("persona_handles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_persona_handles_persona_id"), ["persona_id"], unique=False
        )

    op.create_table(
        "persona_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("officer", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"], ["personas.id"], name=op.f("fk_persona_officers_persona_id_personas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persona_officers")),
        sa.UniqueConstraint("persona_id", "officer", "role", name="uq_persona_officers_key"),
    )
    with op.batch_alter_table("persona_officers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_persona_officers_persona_id"), ["persona_id"], unique=False
        )

    op.create_table(
        "platform_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("to_platform", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_platform_observations_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_observations")),
    )
    with op.batch_alter_table("platform_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_platform_observations_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_platform_observations_observed_at"), ["observed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_platform_observations_platform"), ["platform"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("partner_kind", sa.String(length=32), nullable=False),
        sa.Column("partner_name", sa.String(length=256), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("external_ref", sa.String(length=128), nullable=True),
        sa.Column("incident_type", sa.String(length=128), nullable=True),
        sa.Column("incident_at", UTCDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("ref", name=op.f("uq_referrals_ref")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referrals_external_ref"), ["external_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_occurred_on"), ["occurred_on"], unique=False)

    op.create_table(
        "suspects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.Column("year_of_birth", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_suspects_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspects")),
        sa.UniqueConstraint("ref", name=op.f("uq_suspects_ref")),
    )
    with op.batch_alter_table("suspects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suspects_case_id"), ["case_id"], unique=False)

    op.create_table(
        "authorisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("urgent_oral", sa.Boolean(), nullable=False),
        sa.Column("authorising_officer", sa.String(length=128), nullable=False),
        sa.Column("authorising_rank", sa.String(length=64), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("review_every_days", sa.Integer(), nullable=False),
        sa.Column("judicial_approved_at", UTCDateTime(), nullable=True),
        sa.Column("judicial_commissioner", sa.String(length=128), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=128), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_authorisations_operation_id_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["persona_id"], ["personas.id"], name=op.f("fk_authorisations_persona_id_personas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisations")),
        sa.UniqueConstraint("ref", name=op.f("uq_authorisations_ref")),
    )
    with op.batch_alter_table("authorisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorisations_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_authorisations_persona_id"), ["persona_id"], unique=False
        )

    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("suspect_id", sa.Integer(), nullable=True),
        sa.Column("age_at_time", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_children_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["suspect_id"], ["suspects.id"], name=op.f("fk_children_suspect_id_suspects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
        sa.UniqueConstraint("ref", name=op.f("uq_children_ref")),
    )
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_children_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_suspect_id"), ["suspect_id"], unique=False)

    op.create_table(
        "outcomes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("suspect_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("custodial_months", sa.Integer(), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("extended_licence_months", sa.Integer(), nullable=True),
        sa.Column("notification_months", sa.Integer(), nullable=True),
        sa.Column("notification_indefinite", sa.Boolean(), nullable=False),
        sa.Column("prevention_orders", sa.String(length=256), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outcomes_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["suspect_id"], ["suspects.id"], name=op.f("fk_outcomes_suspect_id_suspects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomes_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_outcomes_kind_on", ["kind", "occurred_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcomes_suspect_id"), ["suspect_id"], unique=False)

    op.create_table(
        "referral_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_referral_files_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_files")),
    )
    with op.batch_alter_table("referral_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_files_md5"), ["md5"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referral_files_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referral_files_sha1"), ["sha1"], unique=False)

    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suspect_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("form_version", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("assessor", sa.String(length=128), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["suspect_id"], ["suspects.id"], name=op.f("fk_risk_assessments_suspect_id_suspects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_assessments_suspect_id"), ["suspect_id"], unique=False
        )

    op.create_table(
        "authorisation_renewals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authorisation_id", sa.Integer(), nullable=False),
        sa.Column("renewed_at", UTCDateTime(), nullable=False),
        sa.Column("authorising_officer", sa.String(length=128), nullable=False),
        sa.Column("authorising_rank", sa.String(length=64), nullable=False),
        sa.Column("previous_expires_at", UTCDateTime(), nullable=False),
        sa.Column("new_expires_at", UTCDateTime(), nullable=False),
        sa.Column("judicial_approved_at", UTCDateTime(), nullable=True),
        sa.Column("judicial_commissioner", sa.String(length=128), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["authorisations.id"],
            name=op.f("fk_authorisation_renewals_authorisation_id_authorisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisation_renewals")),
    )
    with op.batch_alter_table("authorisation_renewals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorisation_renewals_authorisation_id"),
            ["authorisation_id"],
            unique=False,
        )

    op.create_table(
        "authorisation_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authorisation_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["authorisations.id"],
            name=op.f("fk_authorisation_reviews_authorisation_id_authorisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisation_reviews")),
    )
    with op.batch_alter_table("authorisation_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorisation_reviews_authorisation_id"),
            ["authorisation_id"],
            unique=False,
        )

    op.create_table(
        "offences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("suspect_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("offence_type", sa.String(length=64), nullable=False),
        sa.Column("legal_form", sa.String(length=64), nullable=False),
        sa.Column("image_category", sa.String(length=1), nullable=True),
        sa.Column("principal", sa.Boolean(), nullable=False),
        sa.Column("committed_from", sa.Date(), nullable=True),
        sa.Column("committed_to", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_offences_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_offences_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["suspect_id"], ["suspects.id"], name=op.f("fk_offences_suspect_id_suspects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offences")),
    )
    with op.batch_alter_table("offences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offences_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offences_suspect_id"), ["suspect_id"], unique=False)

    op.create_table(
        "safeguarding_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("action_on", sa.Date(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_safeguarding_actions_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_actions")),
    )
    with op.batch_alter_table("safeguarding_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safeguarding_actions_action_on"), ["action_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_actions_child_id"), ["child_id"], unique=False
        )

    op.create_table(
        "offence_platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offence_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["offence_id"], ["offences.id"], name=op.f("fk_offence_platforms_offence_id_offences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offence_platforms")),
        sa.UniqueConstraint("offence_id", "platform", name="uq_offence_platforms_key"),
    )
    with op.batch_alter_table("offence_platforms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offence_platforms_offence_id"), ["offence_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offence_platforms_platform"), ["platform"], unique=False
        )

    op.create_table(
        "suspect_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suspect_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", UTCDateTime(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_suspect_identifiers_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["suspect_id"], ["suspects.id"], name=op.f("fk_suspect_identifiers_suspect_id_suspects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspect_identifiers")),
        sa.UniqueConstraint("suspect_id", "platform", "kind", "value", name="uq_suspect_ids_key"),
    )
    with op.batch_alter_table("suspect_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspect_identifiers_suspect_id"), ["suspect_id"], unique=False
        )
        batch_op.create_index("ix_suspect_identifiers_value", ["value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("suspect_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_suspect_identifiers_value")
        batch_op.drop_index(batch_op.f("ix_suspect_identifiers_suspect_id"))

    op.drop_table("suspect_identifiers")
    with op.batch_alter_table("offence_platforms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offence_platforms_platform"))
        batch_op.drop_index(batch_op.f("ix_offence_platforms_offence_id"))

    op.drop_table("offence_platforms")
    with op.batch_alter_table("safeguarding_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_actions_child_id"))
        batch_op.drop_index(batch_op.f("ix_safeguarding_actions_action_on"))

    op.drop_table("safeguarding_actions")
    with op.batch_alter_table("offences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offences_suspect_id"))
        batch_op.drop_index(batch_op.f("ix_offences_case_id"))

    op.drop_table("authorisation_reviews")
    with op.batch_alter_table("authorisation_renewals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorisation_renewals_authorisation_id"))

    op.drop_table("risk_assessments")
    with op.batch_alter_table("referral_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_files_sha1"))
        batch_op.drop_index(batch_op.f("ix_referral_files_referral_id"))
        batch_op.drop_index(batch_op.f("ix_referral_files_md5"))

    op.drop_table("referral_files")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_suspect_id"))
        batch_op.drop_index("ix_outcomes_kind_on")
        batch_op.drop_index(batch_op.f("ix_outcomes_case_id"))

    op.drop_table("outcomes")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_suspect_id"))
        batch_op.drop_index(batch_op.f("ix_children_case_id"))

    op.drop_table("children")
    with op.batch_alter_table("authorisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorisations_persona_id"))
        batch_op.drop_index(batch_op.f("ix_authorisations_operation_id"))

    op.drop_table("authorisations")
    with op.batch_alter_table("suspects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspects_case_id"))

    op.drop_table("suspects")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_referrals_external_ref"))
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("platform_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_observations_platform"))
        batch_op.drop_index(batch_op.f("ix_platform_observations_observed_at"))
        batch_op.drop_index(batch_op.f("ix_platform_observations_case_id"))

    op.drop_table("platform_observations")
    with op.batch_alter_table("persona_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persona_officers_persona_id"))

    op.drop_table("persona_officers")
    with op.batch_alter_table("persona_handles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persona_handles_persona_id"))

    op.drop_table("persona_handles")
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operations_unit_id"))
        batch_op.drop_index(batch_op.f("ix_operations_case_id"))

    op.drop_table("operations")
    with op.batch_alter_table("case_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_units_unit_id"))

    op.drop_table("case_units")
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personas_unit_id"))

    op.drop_table("personas")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_parent_id"))

    op.drop_table("units")
