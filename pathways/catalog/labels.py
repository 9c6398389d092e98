"""Words for catalog states that pages of several packages show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pathways.catalog.enums import VersionStatus

STATUS_LABELS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.IN_REVIEW: _l("In review"),
    VersionStatus.PUBLISHED: _l("Published"),
    VersionStatus.RETIRED: _l("Retired"),
}
