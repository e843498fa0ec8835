"""The content an app serves: its files, the store's published revisions, the compiled catalog.

Published content in the store wins over ``ONBOARDING_CONTENT`` files. The store's revision
comes back with every user load (``observe``); 0 means "nothing published: serve the files".
The content loader (marshmallow, YAML, Markdown) is imported on first use, never on import, so
a process that only serves a compiled catalog never loads it. No Flask.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import signals
from .config import Settings
from .content.errors import ContentError, ContentProblem
from .content.model import GuideSpec
from .delivery import Catalog
from .errors import StorageError
from .store_access import StoreAccess
from .timeutil import to_epoch

if TYPE_CHECKING:
    from .content.limits import ContentLimits

logger = logging.getLogger("onboarding_sdk")


class ContentRuntime:
    """One app's served content and the operations that change it. Thread-safe: readers take
    ``catalog`` once and keep a consistent view; a swap replaces it whole."""

    def __init__(self, settings: Settings, access: StoreAccess) -> None:
        self.settings = settings
        self.access = access
        self.file_problems: list[ContentProblem] = []  # of the files, at the last load_files
        self.revision = 0  # the store's revision served; 0: the files
        self._file_specs: tuple[GuideSpec, ...] = ()
        self._lock = threading.Lock()
        self.catalog = self._compile((), "0")

    def load_files(self, paths: Sequence[str]) -> list[ContentProblem]:
        """Load content files into a new catalog and return their problems.

        A problem drops only the guide it is about (or a file that cannot be read as a whole):
        every valid guide is served. The caller logs the problems (or, strict, raises).
        """
        if not paths:
            return []
        from .content.loader import read_content  # parsers load at start-up, not on import

        report = read_content(
            paths,
            events=list(self.settings.events),
            default_locale=self.settings.default_locale,
            limits=self.limits(),
        )
        self._file_specs = report.guides
        if self.revision == 0:
            self.use(report.guides, "files")
        self.file_problems = list(report.problems)
        return self.file_problems

    def limits(self) -> ContentLimits:
        """``ONBOARDING_CONTENT_MAX_BYTES`` and ``ONBOARDING_CONTENT_MAX_GUIDES``."""
        from .content.limits import ContentLimits

        return ContentLimits(
            max_bytes=self.settings.content_max_bytes,
            max_guides=self.settings.content_max_guides,
        )

    def parse(self, text: str, name: str = "published.yaml") -> tuple[GuideSpec, ...]:
        """Validate a whole content file's text, all or nothing (a publication): raise
        ContentError listing every problem, size and guide-count limits included."""
        from .content.loader import load_content_text  # parsers load with the first publication

        return load_content_text(
            text,
            name,
            events=list(self.settings.events),
            default_locale=self.settings.default_locale,
            limits=self.limits(),
        )

    def publish(self, text: str, expected_revision: int | None, author: str, note: str = "") -> int:
        """Validate and publish a content set for every process; return the new revision.

        Raises ContentError (nothing published) or StaleRevision (someone published first).
        """
        self.parse(text)
        access = self.access
        when = to_epoch(access.now())
        revision = access.call_store(
            lambda: access.storage.publish_content(text, expected_revision, author, note, when)
        )
        try:
            self.sync(revision)
        except StorageError as exc:  # published all the same; the next user load syncs
            logger.warning("onboarding published revision %d but could not reload it: %s", revision, exc)
        signals.content_published.send(access.sender, revision=revision, author=author, note=note)
        return revision

    def observe(self, revision: int) -> None:
        """The store's revision, as a user load brought it along: serve it if it is new. A
        storage error keeps the current catalog (retried on the next load)."""
        if revision == self.revision:
            return
        try:
            self.sync(revision)
        except StorageError as exc:
            logger.warning("onboarding could not load content revision %d: %s", revision, exc)

    def refresh(self) -> None:
        """Serve the store's current revision, for a read that loads no user to bring it along
        (an anonymous visitor's validation hints). One small read; a storage error keeps the
        current catalog."""
        access = self.access
        try:
            revision = access.call_store(access.storage.content_revision)
            if revision != self.revision:
                self.sync(revision)
        except StorageError as exc:
            logger.warning("onboarding could not check the published content revision: %s", exc)

    def sync(self, revision: int) -> None:
        """Serve the store's ``revision``. Raises StorageError.

        One extra read per process per revision. Broken stored content (published by an
        older version, say) is logged and skipped: the current catalog stays.
        """
        access = self.access
        with self._lock:
            if revision == self.revision or 0 < revision < self.revision:
                return  # already served, or a racing thread's older view
            if revision == 0:  # the store was emptied (tests, demos): back to the files
                self.use(self._file_specs, "files")
                self.revision = 0
                return
            found = access.call_store(lambda: access.storage.load_content(revision))
            if found is None:
                logger.error("onboarding content revision %d is missing from the store", revision)
                self.revision = revision
                return
            try:
                specs = self.parse(found[1], f"published-r{revision}.yaml")
            except ContentError as exc:
                for problem in exc.errors:
                    logger.error("onboarding published content r%d: %s", revision, problem)
                self.revision = revision
                return
            self.use(specs, f"r{revision}")
            self.revision = revision

    def use(self, specs: Sequence[GuideSpec], revision: str) -> None:
        """Compile content into a new catalog and switch to it (atomically for readers)."""
        self.catalog = self._compile(specs, revision)

    def _compile(self, specs: Sequence[GuideSpec], revision: str) -> Catalog:
        return Catalog(
            specs,
            events=self.settings.events,
            revision=revision,
            budget=self.settings.attention_budget,
            changelog_new_user_limit=self.settings.changelog_new_user_limit,
        )
