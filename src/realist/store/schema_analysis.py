"""Tables for the analysis stages: documents, interventions, appraisal, theory, coding, events.

Split from :mod:`realist.store.schema` only to keep modules small; both share one metadata.
"""

from __future__ import annotations

import sqlalchemy as sa

from realist.domain.appraisal import Grade
from realist.domain.coding import Stance
from realist.domain.documents import AttributeType, DocumentType, StudyDesign
from realist.domain.theory import MechanismKind, Origin, Role, Verdict
from realist.store.schema import created_at, enum, fk, metadata, pk

document = sa.Table(
    "document",
    metadata,
    pk(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("document_type", enum(DocumentType, "document_type"), nullable=False),
    sa.Column("study_design", enum(StudyDesign, "study_design")),
    sa.Column("study_design_basis", sa.Text, nullable=False, default=""),
    sa.Column("citation", sa.Text, nullable=False, default=""),
    sa.Column("reference_number", sa.Integer),
    # The author-year citation set by hand ("Thapa et al. 2020"); empty: derived from the
    # document's record (services.citations).
    sa.Column("cite_as", sa.Text, nullable=False, default="", server_default=""),
    fk("record_id", "record.id", nullable=True),
    sa.Column("included", sa.Boolean, nullable=False, default=True),
    # Why a full text was attached to a record that screening excluded (empty: it was not).
    sa.Column("inclusion_override", sa.Text, nullable=False, default="", server_default=""),
    created_at(),
)

document_text = sa.Table(
    "document_text",
    metadata,
    # Extracted text is immutable: a re-extraction adds a version, excerpts keep theirs.
    pk(),
    fk("document_id", "document.id", cascade=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("length", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    # Page map: [[page number, start offset, end offset], ...] in code points of ``text``.
    sa.Column("pages", sa.JSON, nullable=False),
    sa.Column("format", sa.String(16), nullable=False, default="txt"),
    created_at(),
    sa.UniqueConstraint("document_id", "version"),
    # Lets excerpt reference (id, length) so the database itself bounds every span.
    sa.UniqueConstraint("id", "length", name="uq_document_text_id_length"),
    sa.CheckConstraint("length >= 0", name="length_not_negative"),
)

document_file = sa.Table(
    "document_file",
    metadata,
    # The original file, kept inside the review so the review is one self-contained store.
    pk(),
    fk("document_id", "document.id", cascade=True),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    created_at(),
)

review_setting = sa.Table(
    "review_setting",
    metadata,
    # Per-review settings that change behaviour (e.g. the verdict rule), as JSON values.
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

intervention = sa.Table(
    "intervention",
    metadata,
    pk(),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False, default=""),
)

intervention_attribute = sa.Table(
    "intervention_attribute",
    metadata,
    fk("intervention_id", "intervention.id", cascade=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("type", enum(AttributeType, "attribute_type"), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("intervention_id", "name"),
)

intervention_document = sa.Table(
    "intervention_document",
    metadata,
    fk("intervention_id", "intervention.id", cascade=True),
    fk("document_id", "document.id", cascade=True),
    sa.Column("position", sa.Integer, nullable=False, default=0),
    sa.PrimaryKeyConstraint("intervention_id", "document_id"),
)

mmat_appraisal = sa.Table(
    "mmat_appraisal",
    metadata,
    pk(),
    fk("document_id", "document.id", cascade=True),
    fk("reviewer_id", "reviewer.id"),
    sa.Column("category", enum(StudyDesign, "mmat_category"), nullable=False),
    sa.Column("screening", sa.JSON, nullable=False),
    sa.Column("criteria", sa.JSON, nullable=False),
    # A mixed-methods study's components, appraised by their own categories' criteria:
    # {"qualitative": [answers], "non_randomised": [answers]} (MMAT 2018, section 5).
    sa.Column("components", sa.JSON, nullable=False, default=dict, server_default=sa.text("'{}'")),
    sa.Column("note", sa.Text, nullable=False, default=""),
    created_at(),
    sa.UniqueConstraint("document_id", "reviewer_id"),
)

topic = sa.Table(
    "topic",
    metadata,
    pk(),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    # Configurations of a negative topic are risks a provider should guard against.
    sa.Column("negative", sa.Boolean, nullable=False, default=False),
)

configuration = sa.Table(
    "configuration",
    metadata,
    pk(),
    sa.Column("identifier", sa.String(32), nullable=False, unique=True),
    fk("topic_id", "topic.id"),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("statement", sa.Text, nullable=False, default=""),
    sa.Column("origin", enum(Origin, "origin"), nullable=False),
    sa.Column("partial", sa.Boolean, nullable=False, default=False),
    sa.Column("verdict", enum(Verdict, "verdict")),
    sa.Column("rationale", sa.Text, nullable=False, default=""),
    sa.Column("source_note", sa.Text, nullable=False, default=""),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, default=1),
)

component = sa.Table(
    "component",
    metadata,
    pk(),
    fk("configuration_id", "configuration.id", cascade=True),
    sa.Column("role", enum(Role, "component_role"), nullable=False),
    sa.Column("kind", enum(MechanismKind, "mechanism_kind")),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.UniqueConstraint("configuration_id", "role", "position"),
    sa.CheckConstraint("role <> 'configuration'", name="component_role_is_part"),
    sa.CheckConstraint("kind IS NULL OR role = 'mechanism'", name="kind_only_for_mechanisms"),
)

middle_range_theory = sa.Table(
    "middle_range_theory",
    metadata,
    pk(),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("refs", sa.JSON, nullable=False),
)

configuration_theory = sa.Table(
    "configuration_theory",
    metadata,
    fk("configuration_id", "configuration.id", cascade=True),
    fk("middle_range_theory_id", "middle_range_theory.id", cascade=True),
    sa.PrimaryKeyConstraint("configuration_id", "middle_range_theory_id"),
)

configuration_intervention = sa.Table(
    "configuration_intervention",
    metadata,
    fk("configuration_id", "configuration.id", cascade=True),
    fk("intervention_id", "intervention.id", cascade=True),
    sa.PrimaryKeyConstraint("configuration_id", "intervention_id"),
)

configuration_version = sa.Table(
    "configuration_version",
    metadata,
    pk(),
    fk("configuration_id", "configuration.id", cascade=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("snapshot", sa.JSON, nullable=False),
    fk("reviewer_id", "reviewer.id"),
    sa.Column("why", sa.Text, nullable=False, default=""),
    created_at(),
    sa.UniqueConstraint("configuration_id", "version"),
)

memo = sa.Table(
    "memo",
    metadata,
    pk(),
    sa.Column("subject", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    fk("reviewer_id", "reviewer.id"),
    created_at(),
    sa.UniqueConstraint("subject", "version"),
)

excerpt = sa.Table(
    "excerpt",
    metadata,
    pk(),
    sa.Column("label", sa.String(64), nullable=False, default=""),
    sa.Column("document_text_id", sa.Integer, nullable=False, index=True),
    sa.Column("text_length", sa.Integer, nullable=False),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    fk("reviewer_id", "reviewer.id"),
    sa.Column("relevance", enum(Grade, "relevance")),
    sa.Column("rigour", enum(Grade, "rigour")),
    sa.Column("note", sa.Text, nullable=False, default=""),
    created_at(),
    sa.ForeignKeyConstraint(
        ["document_text_id", "text_length"],
        ["document_text.id", "document_text.length"],
        ondelete="CASCADE",
        name="fk_excerpt_document_text",
    ),
    sa.CheckConstraint(
        "start_offset >= 0 AND start_offset < end_offset AND end_offset <= text_length",
        name="span_bounds",
    ),
    # A label names one excerpt in commands (empty: no label).
    sa.Index(
        "uq_excerpt_label",
        "label",
        unique=True,
        sqlite_where=sa.text("label <> ''"),
        postgresql_where=sa.text("label <> ''"),
    ),
)

excerpt_intervention = sa.Table(
    "excerpt_intervention",
    metadata,
    # Case coding: the interventions a passage is evidence about, when that is narrower or
    # other than its document's own interventions (e.g. a review's summary of several).
    fk("excerpt_id", "excerpt.id", cascade=True),
    fk("intervention_id", "intervention.id", cascade=True),
    sa.Column("basis", sa.Text, nullable=False, default=""),
    sa.PrimaryKeyConstraint("excerpt_id", "intervention_id"),
)

coding = sa.Table(
    "coding",
    metadata,
    pk(),
    fk("excerpt_id", "excerpt.id", cascade=True),
    fk("configuration_id", "configuration.id", cascade=True),
    sa.Column("role", enum(Role, "coding_role"), nullable=False),
    fk("component_id", "component.id", nullable=True, cascade=True),
    sa.Column("stance", enum(Stance, "stance"), nullable=False),
    fk("reviewer_id", "reviewer.id"),
    created_at(),
    sa.CheckConstraint(
        "(role = 'configuration') = (component_id IS NULL)", name="component_matches_role"
    ),
    # One coding per excerpt, target, stance and coder: a second copy would count the same
    # evidence twice. Held by the database, so two writers at once cannot both insert it.
    # A part is its component; the whole configuration (no component) needs its own index,
    # since NULLs never conflict in a unique constraint.
    sa.UniqueConstraint("excerpt_id", "component_id", "stance", "reviewer_id"),
    sa.Index(
        "uq_coding_whole_once",
        "excerpt_id",
        "configuration_id",
        "stance",
        "reviewer_id",
        unique=True,
        sqlite_where=sa.text("component_id IS NULL"),
        postgresql_where=sa.text("component_id IS NULL"),
    ),
)

event = sa.Table(
    "event",
    metadata,
    pk(),
    sa.Column("at", sa.String(32), nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("subject", sa.String(200), nullable=False, default=""),
    sa.Column("detail", sa.JSON, nullable=False),
)
